import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page, RunnerView, SessionView, TimelineEntry } from '@baton/contracts';
import { eventually, sleep } from '@baton/testing';
import { auditNamespace, checkLogOnce, checkSessionStory, ofSession, readLog, statusPath, type LoggedEvent } from './harness/log';
import { processesOfSession, processesWithEnv } from './harness/procs';
import { projectRepo, Stack } from './harness/stack';

const RUNNERS = ['fleet-1', 'fleet-2', 'fleet-3'];
const SESSIONS = 20;
const SLOW_SECONDS = 20;
/** A runner's silence limit, as the sessions service documents it (docs/decisions/0026): 10 s, up to 60 s for late beats. */
const RUNNER_SILENCE_MS = 10_000;
const MAX_RUNNER_SILENCE_MS = 60_000;
/** The runner's default beat: its last one came up to this long before the kill. */
const HEARTBEAT_MS = 3_000;
const t0 = Date.now();
const step = (what: string) => process.env.E2E_VERBOSE && process.stderr.write(`[failover +${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}\n`);

/*
 * A fleet of three runner processes hosts twenty demo agents working their tasks, each in
 * its attempt. One runner is killed with SIGKILL mid-work: its sessions must be `lost`
 * once its silence limit passes (10 s quiet, up to 60 s under load), restart on the other runners (the demo agent template restarts on failure),
 * and every session must complete — with nothing lost from the log and every session's
 * story consistent. Then the dead runner comes back and changes nothing.
 */
describe('a runner killed mid-work', () => {
  let stack: Stack;

  beforeAll(async () => {
    // A lost runner's sessions move after the hold: 30 s here (90 s by default, to ride out partitions).
    stack = await Stack.start({ runners: RUNNERS.map((id) => ({ id, capacity: 10 })), sessionsEnv: { BATON_LOST_HOLD_MS: '30000' } });
  }, 240_000);
  afterAll(() => stack?.stop(), 60_000);

  it(`loses its sessions within its silence limit; they restart on the others and all ${SESSIONS} complete; no event lost`, async () => {
    const { api } = stack;
    // A precondition, not what is under test: on a busy 2-core machine the three may take a while to register.
    let seen: RunnerView[] = [];
    await eventually(async () => (seen = await api.get<RunnerView[]>('/api/runners')).filter((r) => r.alive).length === 3, 60_000, 'three live runners').catch((e: Error) => {
      throw new Error(`${e.message}; runners: ${JSON.stringify(seen)}`);
    });
    const projectId = await api.createProject('fleet-e2e', projectRepo(stack).location);

    // Requested at once, as a script driving the API would.
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const taskId = await api.createTask(projectId, `Job ${String(i + 1).padStart(2, '0')} [slow:${SLOW_SECONDS}]`);
        return { taskId, ...(await api.startInAttempt(taskId, 'baton-demo-agent')) };
      }),
    );
    step('sessions requested');
    // Everyone at work, spread over the three runners, each past its first progress ticks.
    const placed = await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      const working = page.items.filter((s) => s.status === 'working' && s.runnerId);
      return working.length === SESSIONS ? page.items : null;
    }, 90_000, `all ${SESSIONS} sessions working`);
    step('all working');
    const byRunner = new Map(RUNNERS.map((r) => [r, placed.filter((s) => s.runnerId === r).map((s) => s.id)]));
    for (const [r, ids] of byRunner) expect({ runner: r, hosts: ids.length > 0 }).toEqual({ runner: r, hosts: true });
    const victim = [...byRunner.entries()].sort((a, b) => b[1].length - a[1].length)[0][0];
    const lostOnes = new Set(byRunner.get(victim)!);
    await eventually(async () => {
      const tls = await Promise.all([...lostOnes].map((id) => api.timeline(id)));
      return tls.every((tl) => tl.filter((t) => t.kind === 'progress').length >= 2);
    }, 30_000, "the victim's sessions mid-work");
    const midway = await Promise.all([...lostOnes].map((id) => api.session(id)));
    for (const s of midway) expect({ id: s.id, status: s.status }).toEqual({ id: s.id, status: 'working' });

    step('victim mid-work');
    // The runner's machine is lost: kill -9 the runner process and its PTY keeper (which would
    // otherwise hold its agents for a restart: keeper-restart.int-spec.ts, docs/decisions/0029).
    const keeperSocket = join(stack.runner(victim).dataDir, 'keeper', 'keeper.sock');
    const keepers = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(keeperSocket))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(keepers).toHaveLength(1);
    const killedAt = Date.now();
    await stack.runner(victim).kill9();
    process.kill(keepers[0], 'SIGKILL');
    // Its agents lose their terminal with them (SIGHUP): no orphan keeps working for a session that moves.
    await eventually(() => processesWithEnv('BATON_RUNNER_KEY', `${stack.ns.namespace}/${victim}`).length === 0, 10_000, "the dead runner's agents to go");
    const orphansGoneAfterMs = Date.now() - killedAt;

    step(`orphans gone after ${orphansGoneAfterMs} ms`);
    // Lost once the runner's silence limit passed, each of them; nobody else. The limit is its own
    // (docs/decisions/0026): three beats (10 s) on a quiet machine, up to 60 s for a runner whose
    // beats came late — on a loaded machine its last gaps were long, so it is given longer.
    const lostAt = new Map<string, number>();
    await eventually(async () => {
      for (const id of lostOnes) {
        if (lostAt.has(id)) continue;
        const tl = await api.timeline(id);
        const lost = tl.find((t) => t.kind === 'error' && t.message.startsWith(`runner ${victim} stopped answering`));
        if (lost) lostAt.set(id, Date.parse(lost.at));
      }
      return lostAt.size === lostOnes.size;
    }, MAX_RUNNER_SILENCE_MS + 30_000, `the ${lostOnes.size} sessions of ${victim} lost`);
    step(`${victim}'s ${lostAt.size} sessions lost after ${[...lostAt.values()].map((at) => at - killedAt).sort((a, b) => a - b).join(', ')} ms`);
    // Never before three beats were missed (counted from its last beat, which came up to a beat
    // before the kill); never after the longest limit and a watcher tick or two.
    const outside = [...lostAt].map(([id, at]) => ({ id, lostAfterMs: at - killedAt })).filter((x) => x.lostAfterMs < RUNNER_SILENCE_MS - HEARTBEAT_MS - 1_000 || x.lostAfterMs > MAX_RUNNER_SILENCE_MS + 5_000);
    expect(outside).toEqual([]);

    step('all lost');
    // Every session completes; the lost ones ran again elsewhere, once.
    const done = await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      const failed = page.items.find((s) => s.endedAt && s.status !== 'completed');
      if (failed) throw new Error(`session ${failed.id} ended ${failed.status}: ${failed.endedReason}`);
      return page.items.every((s) => s.status === 'completed') ? page.items : null;
    }, 150_000, `all ${SESSIONS} sessions completed`);
    expect(done).toHaveLength(SESSIONS);
    for (const s of done) {
      const mine = sessions.find((x) => x.sessionId === s.id)!;
      expect(s.items).toEqual([{ taskId: mine.taskId, status: 'completed' }]);
      if (lostOnes.has(s.id)) {
        expect({ id: s.id, restarts: s.restarts, runs: s.runs, movedAway: s.lastRunnerId !== victim }).toEqual({ id: s.id, restarts: 1, runs: 2, movedAway: true });
      } else {
        expect({ id: s.id, restarts: s.restarts, runs: s.runs }).toEqual({ id: s.id, restarts: 0, runs: 1 });
      }
    }

    step('all completed');
    // Nothing lost, nothing twice; every session's story consistent, from the log alone.
    // Every command of every process (agents, runners, scheduler, liveness, reactors, this test)
    // against the log: each accepted one's events there exactly once, nothing without one.
    const audit = await auditNamespace(stack.ns);
    step(`audited ${audit.commands} commands against ${audit.events} events`);
    expect(audit.problems).toEqual([]);
    const log = await readLog(stack.ns);
    expect(checkLogOnce(log, api.accepted)).toEqual([]);
    const problems: string[] = [];
    for (const s of done) {
      const events = ofSession(log, s.id);
      const timeline = await api.timeline(s.id);
      problems.push(...checkSessionStory(events, s, timeline));
      problems.push(...checkWorkStory(s.id, events, timeline, lostOnes.has(s.id), victim));
    }
    expect(problems).toEqual([]);

    step('log checked');
    // The dead runner comes back: it reconciles, takes new work, and changes nothing that moved.
    const before = log.length;
    await stack.runner(victim).start();
    await eventually(async () => (await api.get<RunnerView>(`/api/runners/${victim}`)).alive, 20_000, `${victim} alive again`);
    await sleep(3_000);
    const after = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
    expect(after.items.map((s) => s.status)).toEqual(done.map(() => 'completed'));
    const changed = (await readLog(stack.ns)).slice(before).filter((e) => e.event.aggregate.type === 'session' && lostOnes.has(e.event.aggregate.id));
    expect(changed.map((e) => `${e.event.aggregate.id} ${e.event.type}`)).toEqual([]);
    for (const s of done) expect(processesOfSession(s.id)).toEqual([]);
  }, 300_000);
});

/**
 * The agent's own story on one session: each run starts with "process started", the task
 * starts, progresses monotonically within the run and completes exactly once, in the last
 * run; a lost session shows lost → restarted → a new run on another runner, and nothing the
 * dead run's agent might still have said lands between the loss and the new process.
 */
function checkWorkStory(id: string, events: LoggedEvent[], timeline: TimelineEntry[], lost: boolean, victim: string): string[] {
  const p: string[] = [];
  const runsAt = timeline.map((t, i) => (t.kind === 'milestone' && t.message.startsWith('process started on ') ? i : -1)).filter((i) => i >= 0);
  const completed = timeline.filter((t) => t.kind === 'task_completed');
  if (completed.length !== 1) p.push(`${id}: task_completed ${completed.length} times`);
  if (runsAt.length !== (lost ? 2 : 1)) p.push(`${id}: ${runsAt.length} runs started`);
  // The task starts once (a restarted run finds its item already in progress) and completes once, last.
  const agentKinds = timeline.filter((t) => t.source === 'agent' && t.kind !== 'session_stopped').map((t) => t.kind);
  if (agentKinds.filter((k) => k === 'task_started').length !== 1 || agentKinds[0] !== 'task_started') p.push(`${id}: agent story starts ${agentKinds.slice(0, 3).join(',')}`);
  if (agentKinds[agentKinds.length - 1] !== 'task_completed') p.push(`${id}: agent story ends ${agentKinds.slice(-3).join(',')}`);
  const lastRun = timeline.slice(runsAt[runsAt.length - 1] ?? 0);
  const progress = lastRun.filter((t) => t.kind === 'progress').map((t) => t.progress ?? -1);
  if (progress.some((v, i) => i > 0 && v < progress[i - 1])) p.push(`${id}: progress went backwards in a run: ${progress.join(',')}`);
  if (progress[progress.length - 1] !== 1) p.push(`${id}: the last run did not reach 100%`);
  if (lost) {
    const path = statusPath(events).map((s) => s.to);
    const at = path.indexOf('lost');
    if (at < 0 || path[at + 1] !== 'pending') p.push(`${id}: status path ${path.join(' → ')} has no lost → pending`);
    const lostIdx = timeline.findIndex((t) => t.kind === 'error' && t.message.startsWith(`runner ${victim} stopped answering`));
    const restartedIdx = timeline.findIndex((t) => t.kind === 'restarted');
    if (restartedIdx < lostIdx) p.push(`${id}: no restarted entry after it was lost`);
    const between = timeline.slice(lostIdx + 1, runsAt[1]).filter((t) => t.source === 'agent');
    if (between.length) p.push(`${id}: the dead run's agent still reported after the loss: ${between.map((t) => t.kind).join(',')}`);
    // Per the template's policy (on-failure, 1 restart, 1 s backoff): one restart, placed again no sooner than its backoff allows.
    const scheduled = events.filter((e) => e.event.type === 'session.restart_scheduled');
    if (scheduled.length !== 1 || scheduled[0].event.data.restart !== 1) p.push(`${id}: ${scheduled.length} restarts scheduled`);
    else {
      const notBefore = Date.parse(String(scheduled[0].event.data.notBefore));
      const placedAgain = events.find((e) => e.seq > scheduled[0].seq && e.event.type === 'session.placed');
      if (!placedAgain) p.push(`${id}: never placed again after its restart was scheduled`);
      else if (Date.parse(placedAgain.event.occurredAt) < notBefore) p.push(`${id}: placed at ${placedAgain.event.occurredAt}, before its backoff ended (${String(scheduled[0].event.data.notBefore)})`);
      else if (String(placedAgain.event.data.runnerId) === victim) p.push(`${id}: placed again on the dead runner`);
    }
    const newRun = timeline[runsAt[1]];
    if (newRun && newRun.message.includes(victim)) p.push(`${id}: restarted on the dead runner ${victim}`);
  }
  return p;
}
