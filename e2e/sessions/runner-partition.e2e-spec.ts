import { spawn, type ChildProcess } from 'node:child_process';
import type { Page, RunnerView, SessionView } from '@baton/contracts';
import { eventually, Netns, netnsAvailable, sleep } from '@baton/testing';
import { benchLine } from '../reliability/harness/bench-line';
import { auditNamespace, checkLogOnce, checkSessionStory, ofSession, readLog } from './harness/log';
import { projectRepo, Stack } from './harness/stack';

const SESSIONS = 4;
const CUT_MS = 60_000;
/** Work that spans the cut: the agents are mid-task when it starts and finish after it heals. */
const SLOW_SECONDS = 100;
const t0 = Date.now();
const step = (what: string) => process.env.E2E_VERBOSE && process.stderr.write(`[partition +${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}\n`);

const available = netnsAvailable();

/*
 * Issue #13 item 6: a runner cut off by a real network boundary. It runs in a network namespace
 * of its own (libs/testing netns.ts): NATS, Postgres and the gateway reach it — and its agents
 * reach the API — only across one veth link, which the test takes down for 60 s while a CPU hog
 * keeps a core busy, then brings back. Its sessions are declared lost while it is silent, held
 * (not moved: the default hold, 90 s, is longer than the cut), and reclaimed when it answers again: every
 * session completes in its first run, on its runner, none twice; nothing is lost from the log.
 */
(available.ok ? describe : describe.skip)(`a runner cut off by a network partition for ${CUT_MS / 1000} s${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let stack: Stack;
  let netns: Netns;
  let hog: ChildProcess | null = null;

  beforeAll(async () => {
    netns = Netns.create(0);
    stack = await Stack.start({
      runners: [
        { id: 'near', capacity: 8 },
        { id: 'far', capacity: 8, netns, env: { BATON_RUNNER_LABELS: 'zone=far' } },
      ],
    });
  }, 240_000);
  afterAll(async () => {
    hog?.kill('SIGKILL');
    netns?.heal();
    await stack?.stop();
    netns?.destroy();
  }, 60_000);

  it('its sessions are lost while it is cut off, held, reclaimed when it is back: all complete in their first run, on it; recovery within 10 s of the heal', async () => {
    const { api } = stack;
    await eventually(async () => (await api.get<RunnerView[]>('/api/runners')).filter((r) => r.alive).length === 2, 60_000, 'two live runners');
    const projectId = await api.createProject('partition-e2e', projectRepo(stack).location);
    await api.get(`/api/projects/${projectId}`, { minSeq: api.lastSeq });
    // The demo agent, placed on the far runner only.
    const template = await api.defineTemplate(projectId, { name: 'Far demo agent', kind: 'command', argv: ['baton', 'demo-agent'], registration: 'agent', runnerLabels: { zone: 'far' } });
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const taskId = await api.createTask(projectId, `Far job ${i + 1} [slow:${SLOW_SECONDS}]`);
        return { taskId, ...(await api.startInAttempt(taskId, template.id)) };
      }),
    );
    const ids = new Set(sessions.map((s) => s.sessionId));
    await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      return page.items.filter((s) => s.status === 'working' && s.runnerId === 'far').length === SESSIONS;
    }, 90_000, `all ${SESSIONS} sessions working on the far runner`).catch(async (e) => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      throw new Error(`${e}; sessions [status, runner, reason]: ${JSON.stringify(page.items.map((s) => [s.status, s.runnerId, s.statusReason]))}; runners: ${JSON.stringify(await api.get("/api/runners"))}`);
    });
    step('all working on far');

    // Under load: a CPU hog on one core for the rest of the test.
    hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    await sleep(5_000);
    netns.cut();
    const cutAt = Date.now();
    step('cut');
    // Lost while it is silent (its silence limit: 10 s at least, docs/decisions/0026), never moved.
    await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      return page.items.filter((s) => ids.has(s.id) && s.status === 'lost').length === SESSIONS;
    }, CUT_MS - 5_000, 'every session of the cut-off runner lost');
    step(`lost after ${Date.now() - cutAt} ms`);
    await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
    const stillLost = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
    expect(stillLost.items.map((s) => ({ status: s.status, runs: s.runs }))).toEqual(sessions.map(() => ({ status: 'lost', runs: 1 })));

    netns.heal();
    const healedAt = Date.now();
    step('healed');
    await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      return page.items.every((s) => s.status !== 'lost');
    }, 60_000, 'every session reclaimed');
    const recoveryMs = Date.now() - healedAt;
    step(`reclaimed ${recoveryMs} ms after the heal`);
    benchLine({ name: 'fleet.partition.runner.recovery', value: recoveryMs, unit: 'ms', target: 'value<=10000', ok: recoveryMs <= 10_000 });
    expect(recoveryMs).toBeLessThanOrEqual(10_000);
    hog.kill('SIGKILL');
    hog = null;

    const done = await eventually(async () => {
      const page = await api.get<Page<SessionView>>('/api/sessions', { projectId, limit: 100 });
      const failed = page.items.find((s) => s.endedAt && s.status !== 'completed');
      if (failed) throw new Error(`session ${failed.id} ended ${failed.status}: ${failed.endedReason}`);
      return page.items.every((s) => s.status === 'completed') ? page.items : null;
    }, SLOW_SECONDS * 1_000 + 60_000, `all ${SESSIONS} sessions completed`);
    step('all completed');
    const lost = done.filter((s) => s.lastRunnerId !== 'far' || s.runs > 1 || s.restarts > 0).length;
    const twice = (await Promise.all(done.map((s) => api.timeline(s.id)))).filter((tl) => tl.filter((t) => t.kind === 'task_completed').length > 1).length;
    benchLine({ name: 'fleet.partition.runner.sessions_lost', value: lost, unit: 'sessions', target: 'value==0', ok: lost === 0 });
    benchLine({ name: 'fleet.partition.runner.sessions_duplicated', value: twice, unit: 'sessions', target: 'value==0', ok: twice === 0 });
    // None lost, none run twice, none moved.
    expect(done.map((s) => ({ restarts: s.restarts, runs: s.runs, runner: s.lastRunnerId }))).toEqual(sessions.map(() => ({ restarts: 0, runs: 1, runner: 'far' })));
    for (const s of done) {
      const tl = await api.timeline(s.id);
      expect(tl.filter((t) => t.kind === 'task_completed')).toHaveLength(1);
      expect(tl.some((t) => t.kind === 'error' && t.message.startsWith('runner far stopped answering'))).toBe(true);
    }

    // Nothing lost from the log or in it twice; every session's story holds together.
    const audit = await auditNamespace(stack.ns);
    expect(audit.problems).toEqual([]);
    const log = await readLog(stack.ns);
    expect(checkLogOnce(log, api.accepted)).toEqual([]);
    const problems: string[] = [];
    for (const s of done) problems.push(...checkSessionStory(ofSession(log, s.id), s, await api.timeline(s.id)));
    expect(problems).toEqual([]);
  }, 420_000);
});
