import { registry } from '@baton/events';
import { createTestNamespace, startService, type TestNamespace } from '@baton/testing';
import { id, snapshot, SessionsHarness, TEST_SECRET } from './__tests__/sessions-harness';

describe('a runner that stops answering (real service, KV heartbeats)', () => {
  let ns: TestNamespace;
  let h: SessionsHarness;
  let service: Awaited<ReturnType<typeof startService>>;

  beforeAll(async () => {
    ns = await createTestNamespace();
    // A short hold (docs/decisions/0026): this runner never comes back, its sessions move once the hold is over.
    service = await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: TEST_SECRET, BATON_LOST_HOLD_MS: '3000' });
    h = await SessionsHarness.open(ns);
    await h.waitUntilServing();
  });
  afterAll(async () => {
    await service?.stop();
    await h?.close();
    await ns?.cleanup();
  });

  it('marks its sessions lost within 15 s; after the hold one restarts on another live runner, one without a restart policy fails', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const doomed = await h.runner(id('r'), 2, pool);
    const restartable = await h.spawn({
      projectId,
      runnerLabels: pool,
      template: snapshot({ registration: 'agent', restart: { mode: 'on-failure', backoffMs: 500, maxBackoffMs: 500, maxRestarts: 2, resetAfterMs: null } }),
    });
    const oneShot = await h.spawn({ projectId, runnerLabels: pool, template: snapshot({ registration: 'agent' }) });
    for (const s of [restartable, oneShot]) {
      await doomed.next('start', s);
      await doomed.spawned(s, { register: true });
      await h.status(s, 'idle');
    }
    const spare = await h.runner(id('r'), 1, pool);

    const lastBeat = Date.now();
    await doomed.heartbeat();
    doomed.silence();

    const failed = await h.status(oneShot, 'failed', 20_000);
    expect(failed.statusReason).toMatch(/stopped answering/);
    const { data: restart } = await spare.next('start', restartable, 20_000);
    expect(restart.run).toBe(1);

    const replay = await h.queries.ask<{ statuses: { status: string; from: string }[]; timeline: { kind: string }[]; restarts: number }>('sessions', 'replay_session', { sessionId: restartable });
    const lost = replay.statuses.find((s) => s.status === 'lost')!;
    expect(Date.parse(lost.from) - lastBeat).toBeLessThanOrEqual(15_000);
    expect(replay.statuses.map((s) => s.status).slice(-3)).toEqual(['lost', 'pending', 'spawning']);
    expect(replay.timeline.map((e) => e.kind)).toContain('restarted');
    expect(replay.restarts).toBe(1);
    expect((await h.session(restartable)).runnerId).toBe(spare.runnerId);

    // The old runner comes back and reports about the session that moved: 409, it kills its orphan.
    const late = await h.send(registry.command('session.record_exit')!, { sessionId: restartable, runnerId: doomed.runnerId, exitCode: 0 }, doomed.actor);
    expect(late).toMatchObject({ status: 'rejected', code: 'conflict' });

    await spare.spawned(restartable, { register: true });
    await h.status(restartable, 'idle');
  });
});
