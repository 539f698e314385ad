import type { Page, SessionExport, SessionView, TemplateView } from '@baton/contracts';
import { eventually } from '@baton/testing';
import { auditNamespace, checkLogOnce, checkSessionStory, ofSession, readLog, statusPath } from './harness/log';
import { processesOfSession } from './harness/procs';
import { projectRepo, Stack } from './harness/stack';

/*
 * Sessions that manage sessions, and the timers that keep sessions honest: an orchestrator
 * demo agent with workers (and a cascading stop), a program that never registers, and one
 * that goes silent. Real processes: tasks, sessions, gateway and one runner.
 */
describe('orchestrators, registration timeout and stall watchdog', () => {
  let stack: Stack;
  let projectId: string;

  beforeAll(async () => {
    stack = await Stack.start({ runners: [{ id: 'orch-1', capacity: 8 }] });
    projectId = await stack.api.createProject('orchestration-e2e', projectRepo(stack).location);
  }, 240_000);
  afterAll(() => stack?.stop(), 60_000);

  const workersOf = async (parentId: string) => (await stack.api.get<Page<SessionView>>('/api/sessions', { parentSessionId: parentId })).items;

  it('an orchestrator spawns two workers, waits for them and completes; its timeline has worker_spawned ×2 and worker_finished ×2', async () => {
    const { api } = stack;
    const taskId = await api.createTask(projectId, 'Split the work [spawn-workers:2] [fast]');
    const parent = await api.spawn(projectId, { templateId: 'baton-demo-agent', role: 'orchestrator', taskIds: [taskId], name: 'orchestrator' });

    const done = await api.waitStatus(parent, ['completed'], 90_000);
    expect(done.items).toEqual([{ taskId, status: 'completed' }]);
    const workers = await workersOf(parent);
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(w).toMatchObject({ parentSessionId: parent, role: 'worker', templateId: 'baton-demo-agent', projectId, status: 'completed' });
    expect(done.workerCount).toBe(2);

    const timeline = await api.timeline(parent);
    const spawned = timeline.filter((t) => t.kind === 'worker_spawned');
    const finished = timeline.filter((t) => t.kind === 'worker_finished');
    expect(spawned.map((t) => t.workerId).sort()).toEqual(workers.map((w) => w.id).sort());
    expect(finished.map((t) => t.workerId).sort()).toEqual(workers.map((w) => w.id).sort());
    expect(finished.map((t) => t.metadata.workerStatus)).toEqual(['completed', 'completed']);
    // In order: both spawned before either finished, and the parent's task completed after both.
    const at = (e: { id: string }) => timeline.findIndex((t) => t.id === e.id);
    expect(Math.max(...spawned.map(at))).toBeLessThan(Math.min(...finished.map(at)));
    expect(timeline.findIndex((t) => t.kind === 'task_completed')).toBeGreaterThan(Math.max(...finished.map(at)));
  }, 120_000);

  it('stopping an orchestrator with cascade stops its working workers, and their processes end', async () => {
    const { api } = stack;
    // Based on the built-in demo agent, with workers that take their time (~1.5 min at 30 s a step;
    // BATON_* cannot be set through a template's env, so argv sets it).
    const builtIn = await api.get<TemplateView>('/api/session-templates/baton-demo-agent');
    const slow = await api.defineTemplate(projectId, { ...builtIn.spec, name: 'Slow demo agent', argv: ['env', 'BATON_DEMO_STEP_MS=30000', ...builtIn.spec.argv] });
    const taskId = await api.createTask(projectId, 'Fan out [spawn-workers:2] [slow:1]');
    const parent = await api.spawn(projectId, { templateId: slow.id, role: 'orchestrator', taskIds: [taskId] });

    const workers = await eventually(async () => {
      const ws = await workersOf(parent);
      return ws.length === 2 && ws.every((w) => w.status === 'working' || w.status === 'idle') ? ws : null;
    }, 60_000, 'two running workers');
    await eventually(async () => workers.every((w) => processesOfSession(w.id).length > 0), 10_000, 'the workers\' processes');
    expect((await api.session(parent)).status).toBe('working');

    const stopped = await api.post(`/api/sessions/${parent}/stop`, { reason: 'enough', cascade: true });
    expect(stopped.events.map((e) => e.type)).toContain('session.ended');
    expect(await api.waitEnded(parent, 10_000)).toMatchObject({ status: 'stopped', endedReason: 'enough' });
    for (const w of workers) {
      const ended = await api.waitEnded(w.id, 20_000);
      expect(ended).toMatchObject({ status: 'stopped', endedReason: `parent ${parent} stopped` });
    }
    for (const s of [parent, ...workers.map((w) => w.id)]) await eventually(() => processesOfSession(s).length === 0, 15_000, `the processes of ${s} to end`);
    const finished = await eventually(async () => {
      const f = (await api.timeline(parent)).filter((t) => t.kind === 'worker_finished');
      return f.length === 2 ? f : null;
    }, 10_000, 'worker_finished ×2 on the parent');
    expect(finished.map((t) => t.metadata.workerStatus)).toEqual(['stopped', 'stopped']);
  }, 120_000);

  it('a program that never registers fails with the registration timeout as its reason, and is killed', async () => {
    const { api } = stack;
    const t = await api.defineTemplate(projectId, { name: 'Never registers', kind: 'agent', argv: ['sleep', '600'], registration: 'agent', registrationTimeoutMs: 2_000 });
    const id = await api.spawn(projectId, { templateId: t.id });
    await eventually(() => processesOfSession(id).length > 0, 20_000, 'the program to run');

    const failed = await api.waitEnded(id, 20_000);
    expect(failed).toMatchObject({ status: 'failed', endedReason: 'registration timeout (2s)', ready: false, restarts: 0 });
    const path = statusPath(ofSession(await readLog(stack.ns), id));
    expect(path.map((s) => s.to).slice(-2)).toEqual(['spawning', 'failed']);
    expect(path.map((s) => s.to)).not.toContain('idle');
    const spawningAt = Date.parse(path.find((s) => s.to === 'spawning')!.at);
    const failedAt = Date.parse(path.find((s) => s.to === 'failed')!.at);
    expect(failedAt - spawningAt).toBeGreaterThanOrEqual(2_000);
    expect(failedAt - spawningAt).toBeLessThan(6_000);
    expect((await api.timeline(id)).filter((e) => e.kind === 'error').map((e) => e.message)).toEqual(['not ready within 2s']);
    await eventually(() => processesOfSession(id).length === 0, 15_000, 'the program to be killed');
  }, 120_000);

  it("the registration clock starts when the process does: a runner slow to start it (a setup script) does not eat the agent's time", async () => {
    const { api } = stack;
    // The runner gives a setup script up to BATON_RUNNER_SETUP_TIMEOUT_MS (10 min); the agent
    // then registers at once. It has 4 s to do so once it runs.
    const t = await api.defineTemplate(projectId, {
      name: 'Slow setup, quick agent',
      kind: 'agent',
      argv: ['sh', '-c', 'baton session register --agent slow-setup && exec sleep 600'],
      registration: 'agent',
      registrationTimeoutMs: 4_000,
      setupScript: 'sleep 6',
    });
    const id = await api.spawn(projectId, { templateId: t.id });
    try {
      const s = await api.waitSession(id, (v) => v.ready || v.endedAt !== null, 45_000, 'registration or the end');
      const events = ofSession(await readLog(stack.ns), id);
      const at = (type: string) => events.find((e) => e.event.type === type)?.event.occurredAt ?? null;
      expect({ status: s.status, ready: s.ready, endedReason: s.endedReason, placed: at('session.placed'), spawned: at('session.spawned') }).toEqual({
        status: 'idle',
        ready: true,
        endedReason: null,
        placed: expect.any(String),
        spawned: expect.any(String),
      });
    } finally {
      await api.post(`/api/sessions/${id}/stop`, { reason: 'done' }).catch(() => undefined);
    }
  }, 120_000);

  it('the stall watchdog: a silent program is `stalled` on its timeline, then the action — interrupt reaches the PTY; restart runs it again, then gives up', async () => {
    const { api } = stack;
    const interrupt = await api.defineTemplate(projectId, {
      name: 'Goes quiet (interrupt)',
      kind: 'command',
      argv: ['sh', '-c', "trap 'echo interrupted by the watchdog; exit 3' INT; echo started; while :; do sleep 0.2; done"],
      stallAfterMs: 2_000,
      stallAction: 'interrupt',
    });
    const restart = await api.defineTemplate(projectId, {
      name: 'Goes quiet (restart)',
      kind: 'command',
      argv: ['sh', '-c', 'echo started; exec sleep 600'],
      stallAfterMs: 2_000,
      stallAction: 'restart',
      restart: { mode: 'never', backoffMs: 500, maxBackoffMs: 1_000, maxRestarts: 1, resetAfterMs: null },
    });
    const a = await api.spawn(projectId, { templateId: interrupt.id });
    const b = await api.spawn(projectId, { templateId: restart.id });

    const endedA = await api.waitEnded(a, 45_000);
    // The watchdog's Ctrl-C went through the PTY: the program's trap ran and it exited 3.
    expect(endedA).toMatchObject({ status: 'exited', exitCode: 3 });
    expect((await api.get<SessionExport>(`/api/sessions/${a}/export`, { format: 'cast' })).content).toContain('interrupted by the watchdog');
    const tlA = await api.timeline(a);
    const stalledA = tlA.filter((e) => e.kind === 'stalled');
    expect(stalledA).toHaveLength(1);
    expect(stalledA[0]).toMatchObject({ source: 'watchdog', metadata: expect.objectContaining({ action: 'interrupt' }) });
    expect(stalledA[0].message).toMatch(/^no output and no report for \d+s; action: interrupt$/);
    expect(statusPath(ofSession(await readLog(stack.ns), a)).map((s) => s.to).slice(-3)).toEqual(['working', 'stalled', 'exited']);

    const endedB = await api.waitEnded(b, 60_000);
    expect(endedB).toMatchObject({ status: 'failed', restarts: 1, runs: 2 });
    expect(endedB.endedReason).toMatch(/stalled/);
    const tlB = await api.timeline(b);
    expect(tlB.filter((e) => e.kind === 'stalled')).toHaveLength(2);
    expect(tlB.filter((e) => e.kind === 'restarted')).toHaveLength(1);
    const pathB = statusPath(ofSession(await readLog(stack.ns), b)).map((s) => s.to);
    expect(pathB.filter((s) => s === 'stalled')).toHaveLength(2);
    expect(pathB.indexOf('pending', 1)).toBeGreaterThan(pathB.indexOf('stalled'));
    for (const id of [a, b]) await eventually(() => processesOfSession(id).length === 0, 15_000, `the processes of ${id} to end`);
  }, 120_000);

  it('the log holds every accepted command once, and every session story holds together', async () => {
    // Every command any process sent (agents, runner, scheduler, reactors, this test) against the log.
    const audit = await auditNamespace(stack.ns);
    expect(audit.problems).toEqual([]);
    expect(audit.commands).toBeGreaterThan(50);
    const log = await readLog(stack.ns);
    expect(checkLogOnce(log, stack.api.accepted)).toEqual([]);
    const sessions = (await stack.api.get<Page<SessionView>>('/api/sessions', { limit: 1_000 })).items;
    const problems: string[] = [];
    for (const s of sessions) problems.push(...checkSessionStory(ofSession(log, s.id), s, await stack.api.timeline(s.id)));
    expect(problems).toEqual([]);
  }, 120_000);
});
