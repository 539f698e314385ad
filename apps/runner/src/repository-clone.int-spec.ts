import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { RunnerStart } from '@baton/events';
import { Broker } from '@baton/event-store';
import { createTestNamespace, eventually, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { FakeSessionsService, startMessage } from './__tests__/fake-sessions-service';
import { makeRepo, removeTemps, tempDir } from './worktree/__tests__/git-fixtures';
import { processesMentioning, startHangingServer, uniqueToken } from './worktree/__tests__/hanging-server';

/**
 * A project repository that never answers (an https server that accepts and stays silent)
 * holds a start in preparing: a `stop` for it, or the runner stopping, ends the clone with
 * every git process it started; and a location stored before the allow-list never reaches git.
 */
describe('runner: cloning a project repository', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let sessions: FakeSessionsService;
  let server: Awaited<ReturnType<typeof startHangingServer>>;
  let project: string;
  const runners: ManagedProcess[] = [];

  const startRunner = async (runnerId: string) => {
    const dataDir = tempDir('baton-runner-data-');
    const runner = await startService('runner', { ...ns.env, BATON_RUNNER_ID: runnerId, BATON_DATA_DIR: dataDir, BATON_RUNNER_DRAIN_MS: '300' });
    runners.push(runner);
    return { runner, dataDir };
  };
  const start = async (runnerId: string, repository: string, overrides: Partial<RunnerStart> = {}) => {
    const msg = startMessage(ulid(), repository, { projectId: `p-${ulid()}`, ...overrides });
    await broker.js.publish(broker.names.cmdRunner(runnerId, 'start'), JSON.stringify(msg));
    return msg;
  };
  const stop = (runnerId: string, sessionId: string) =>
    broker.js.publish(broker.names.cmdRunner(runnerId, 'stop'), JSON.stringify({ sessionId, reason: 'test', graceMs: 500, cleanup: false }));
  const attempt = (): Partial<RunnerStart> => {
    const attemptId = ulid();
    return { workspace: { kind: 'attempt', attemptId, taskId: 't1', branch: `baton/${attemptId.toLowerCase()}`, baseBranch: 'main' } };
  };
  /** Nothing half-cloned is left in the data dir. */
  const partials = (dataDir: string) =>
    ['repos', 'projects'].flatMap((d) => (existsSync(join(dataDir, d)) ? readdirSync(join(dataDir, d)).filter((n) => n.includes('.partial-')) : []));

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    sessions = new FakeSessionsService(broker);
    await sessions.start();
    server = await startHangingServer();
    project = makeRepo();
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await server?.close();
    await sessions?.stop();
    await broker?.close();
    await ns?.cleanup();
    removeTemps();
  });

  it.each([
    ['an attempt worktree (the mirror clone)', attempt],
    ["the project's checkout", (): Partial<RunnerStart> => ({})],
  ])('a stop for a start still cloning %s kills the clone, leaving no git process behind', async (_label, workspace) => {
    const { dataDir } = await startRunner('r1');
    const token = uniqueToken();
    const hung = await start('r1', server.url(token), workspace());
    await eventually(() => processesMentioning(token).length >= 2, 15_000, 'git clone and its helper running');
    await stop('r1', hung.sessionId);
    await eventually(() => processesMentioning(token).length === 0, 5_000, 'no git process left after the stop');
    expect(partials(dataDir)).toEqual([]);
    // Stopped before it ran: nothing spawned; the runner takes the next start at once.
    const next = await start('r1', project, workspace());
    await sessions.waitFor(next.sessionId, 'session.record_exit');
    expect(sessions.of(hung.sessionId, 'session.record_spawned')).toEqual([]);
    await runners.pop()!.stop();
  });

  it('the runner stopping (SIGTERM) kills a clone still running, leaving no git process behind', async () => {
    const { runner, dataDir } = await startRunner('r2');
    const token = uniqueToken();
    await start('r2', server.url(token), attempt());
    await start('r2', server.url(token));
    await eventually(() => processesMentioning(token).length >= 4, 15_000, 'both clones running');
    const t0 = performance.now();
    await runner.stop(30_000);
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(await runner.exited).toEqual({ code: 0, signal: null });
    expect(processesMentioning(token)).toEqual([]);
    expect(partials(dataDir)).toEqual([]);
  });

  it('refuses a location stored before the allow-list as a spawn failure, before git sees it', async () => {
    await startRunner('r3');
    for (const location of ['fd::3', 'ext::sh -c x', '-uhelp']) {
      for (const ws of [attempt(), {}]) {
        const s = await start('r3', location, ws);
        expect(await sessions.waitFor(s.sessionId, 'session.record_spawn_failed')).toMatchObject({ retryable: false, error: expect.stringMatching(/repository location .* is refused/) });
      }
    }
  });
});
