import { randomBytes } from 'node:crypto';
import { eventually, infraFromEnv, newNamespaceName, removeNamespace } from '@baton/testing';
import { ReadModelList, VerifyReport } from '@baton/contracts';
import { benchLine } from './harness/bench-line';
import { call } from './harness/http';
import { Load } from './harness/load';
import { exactlyOnce, readLog } from './harness/log';
import { PrivatePostgres } from './harness/private-postgres';
import { Prober } from './harness/prober';
import { Stack } from './harness/stack';

const OUTAGE_MS = 4_000;

/*
 * Postgres restarted under load. The shared local cluster serves every other test file in
 * parallel, so this file runs a Postgres of its own (npm start's embedded binaries) and
 * stops that one: commands keep being decided from the log, read models catch up after.
 */
describe('Postgres restarted during load', () => {
  const pg = new PrivatePostgres();
  const namespace = newNamespaceName();
  const token = `btn_test_${randomBytes(16).toString('hex')}`;
  const { natsUrl } = infraFromEnv();
  let stack: Stack;
  const base = () => stack.gatewayUrl;
  const api = <T = unknown>(method: string, path: string, body?: unknown) => call<T>(base, token, method, path, body, { timeoutMs: 60_000 });

  beforeAll(async () => {
    const databaseUrl = await pg.start();
    stack = new Stack({ BATON_NAMESPACE: namespace, NATS_URL: natsUrl, DATABASE_URL: databaseUrl, BATON_BOOTSTRAP_TOKEN: token, BATON_TERMINAL_MAX_BYTES: String(64 * 1024 ** 2) });
    await stack.start('tasks', { app: 'tasks' });
    await stack.start('sessions', { app: 'sessions' });
    await stack.start('gateway', { app: 'gateway' });
    await eventually(async () => (await api('GET', '/api/me')).status === 200, 30_000, 'the bootstrap admin');
  }, 150_000);

  afterAll(async () => {
    // Whatever happened, the database is up again before anything else is torn down.
    if (!pg.running) await pg.start().catch(() => undefined);
    await stack?.stop();
    if (pg.serverUrl) await removeNamespace(namespace, natsUrl, pg.serverUrl).catch(() => undefined);
    await pg.remove();
  });

  it('keeps accepting commands, catches up after the restart, and loses nothing', async () => {
    const probeProject = (await api<{ id: string }>('POST', '/api/projects', { name: 'Probe', repository: { location: '/srv/probe' } })).body.id;
    const load = new Load({ base, token, clients: 4, prefix: 'pg', pauseMs: 20, deadlineMs: 120_000 }).start();
    const prober = new Prober(base, token, probeProject, 'probe', 300).start();
    await eventually(() => load.acceptedCount > 80, 60_000, 'load under way');

    const stoppedAt = Date.now();
    let restartedAt = 0;
    try {
      await pg.stop();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
    } finally {
      await pg.start();
      restartedAt = Date.now();
    }
    const acceptedDuringOutage = () => load.result.accepted.filter((a) => a.sentAt >= stoppedAt && a.sentAt + a.ms <= restartedAt).length;
    await new Promise((r) => setTimeout(r, 5_000));
    const result = await load.stop();
    await prober.stop();

    const recoveryS = prober.recoverySeconds(stoppedAt);
    process.stdout.write(
      `postgres down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s: ${acceptedDuringOutage()} commands accepted meanwhile; ${result.accepted.length} accepted in all, ` +
        `${result.retries} resends ${JSON.stringify(result.retryStatuses)}; fresh commands prompt again ${recoveryS.toFixed(2)} s after the stop (not prompt: ${prober.slow(stoppedAt).slice(0, 12).join(' ') || 'none'})\n`,
    );
    expect(result.refused).toEqual([]);
    expect(prober.failed).toEqual([]);

    // Projections catch up to the log's end.
    const caughtUpAt = await eventually(async () => {
      const list = ReadModelList.parse((await api('GET', '/api/admin/read-models')).body);
      return list.services.every((s) => s.readModels?.every((m) => m.checkpoint === s.lastSeq)) ? Date.now() : null;
    }, 60_000, 'every read model at the log\'s end');
    benchLine({ name: 'reliability.postgres_restart.recovery', value: Number(recoveryS.toFixed(2)), unit: 's', target: 'value<=10', ok: recoveryS <= 10 });
    benchLine({ name: 'reliability.postgres_restart.read_models_caught_up', value: Number(((caughtUpAt - restartedAt) / 1000).toFixed(2)), unit: 's' });

    const log = await readLog(natsUrl, namespace);
    expect(exactlyOnce(result.accepted, log)).toMatchObject({ missing: [], duplicated: [], duplicateEventIds: [], misplaced: [] });
    for (const a of result.accepted.filter((x) => x.kind === 'task.create')) {
      expect({ task: a.id, status: (await api('GET', `/api/tasks/${a.id}?minSeq=${a.seq}`)).status }).toEqual({ task: a.id, status: 200 });
    }
    expect(VerifyReport.parse((await api('POST', '/api/admin/verify', {})).body).ok).toBe(true);
    expect(Number.isFinite(recoveryS)).toBe(true); // how soon is the figure printed above
  }, 240_000);
});
