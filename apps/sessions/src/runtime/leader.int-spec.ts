import { Client } from 'pg';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { id, SessionsHarness, TEST_SECRET, type FakeRunner } from './__tests__/sessions-harness';

describe('two sessions service replicas', () => {
  let ns: TestNamespace;
  let h: SessionsHarness;
  let pg: Client;
  const replicas: Awaited<ReturnType<typeof startService>>[] = [];

  const env = () => ({ ...ns.env, BATON_AGENT_TOKEN_SECRET: TEST_SECRET, BATON_LEADER_CHECK_MS: '500' });
  const ROLES = ['scheduler', 'liveness', 'timers', 'runner-dispatch'];
  /** Backends holding the leader roles' advisory locks (keys as LeaderElector makes them). */
  const lockHolders = async () => {
    const keys = ROLES.map((r) => `baton-leader:${ns.namespace}_sessions:${r}`);
    const { rows } = await pg.query<{ pid: number; key: string }>(
      `SELECT l.pid, k.key FROM pg_locks l JOIN unnest($1::text[]) AS k(key) ON l.objid = (hashtext(k.key)::bigint & 4294967295)::oid
       WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [keys],
    );
    // Every role is held, each by one backend.
    if (rows.length !== ROLES.length) return [];
    return [...new Set(rows.map((r) => r.pid))];
  };

  beforeAll(async () => {
    ns = await createTestNamespace();
    replicas.push(await startService('sessions', env(), { name: 'sessions-a' }));
    h = await SessionsHarness.open(ns);
    await h.waitUntilServing();
    replicas.push(await startService('sessions', env(), { name: 'sessions-b' }));
    pg = new Client({ connectionString: ns.databaseUrl });
    await pg.connect();
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await pg?.end();
    await h?.close();
    await ns?.cleanup();
  });

  async function spawnAndCheck(projectId: string, pool: Record<string, string>, runners: FakeRunner[], n: number): Promise<void> {
    const sessions: string[] = [];
    for (let i = 0; i < n; i++) sessions.push(await h.spawn({ projectId, runnerLabels: pool, name: `s${i}` }));
    for (const s of sessions) await h.status(s, 'spawning', 20_000);
    // Every session got exactly one start, on the runner it was placed on.
    await eventually(() => sessions.every((s) => runners.some((r) => r.of('start', s).length)), 10_000, 'starts');
    await new Promise((r) => setTimeout(r, 1_500)); // room for a duplicate to show up, if there were one
    for (const s of sessions) {
      const placed = (await h.events(s)).filter((e) => e.type === 'session.placed');
      expect(placed).toHaveLength(1);
      const starts = runners.flatMap((r) => r.of('start', s).map(() => r.runnerId));
      expect(starts).toEqual([(placed[0].data as { runnerId: string }).runnerId]);
    }
  }

  it('still places each session once, and another replica takes over when the leader dies', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const runners = [await h.runner(id('r'), 30, pool), await h.runner(id('r'), 30, pool)];

    // One replica holds every lock (the first one up took them all).
    expect(await lockHolders()).toHaveLength(1);
    await spawnAndCheck(projectId, pool, runners, 20);

    // kill -9 the leader: its connection (and locks) die with it; the standby takes over.
    const before = (await lockHolders())[0];
    await replicas[0].kill9();
    await eventually(async () => {
      const holders = await lockHolders();
      return holders.length === 1 && holders[0] !== before;
    }, 15_000, 'the standby to take the locks');
    await spawnAndCheck(projectId, pool, runners, 10);
  });
});
