import { DataSource } from 'typeorm';
import { silentLogger } from '@baton/event-store';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { LeaderElector, LeaderLoop } from './leader-election';

describe(LeaderElector.name, () => {
  let ns: TestNamespace;
  const sources: DataSource[] = [];
  const electors: LeaderElector[] = [];

  const replica = async (name: string) => {
    const db = new DataSource({ type: 'postgres', url: ns.databaseUrl, applicationName: `leader-test-${name}`, poolSize: 3 });
    await db.initialize();
    sources.push(db);
    const ticks: number[] = [];
    const elector = new LeaderElector({ db, scope: 'test', logger: silentLogger, checkEveryMs: 200 });
    const loop = new LeaderLoop({ name: 'work', intervalMs: 50, logger: silentLogger, confirm: () => elector.confirm(), tick: async () => void ticks.push(Date.now()) });
    elector.add(loop);
    electors.push(elector);
    return { db, elector, loop, ticks };
  };
  const lockPid = async (db: DataSource) =>
    ((await db.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (hashtext($1)::bigint & 4294967295)::oid", ['baton-leader:test:work'])) as { pid: number }[]).map(
      (r) => r.pid,
    );

  beforeAll(async () => {
    ns = await createTestNamespace();
  });
  afterAll(async () => {
    for (const e of electors) await e.stop().catch(() => undefined);
    for (const s of sources) await s.destroy().catch(() => undefined);
    await ns?.cleanup();
  });

  it('lets one replica lead a role, elects again when the leader’s connection drops, hands over when it stops', async () => {
    const a = await replica('a');
    await a.elector.start();
    const b = await replica('b');
    await b.elector.start();
    expect(a.loop.isLeading).toBe(true);
    expect(b.loop.isLeading).toBe(false);
    await eventually(() => a.ticks.length >= 3, 5_000, 'leader ticks');
    expect(b.ticks).toHaveLength(0);

    // The leader's lock connection is killed (a network cut, a Postgres failover): it stands
    // down; whichever replica checks first takes the role, on a new connection.
    const [pid] = await lockPid(a.db);
    await a.db.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(async () => {
      const pids = await lockPid(a.db);
      return pids.length === 1 && pids[0] !== pid;
    }, 5_000, 're-election');
    // The old leader learns it lost the lock at its next check (every 200 ms here); until then its
    // loop still reads as leading, but confirm() keeps it from ticking (asserted below).
    await eventually(() => [a.loop.isLeading, b.loop.isLeading].filter(Boolean).length === 1, 5_000, 'one leader after the re-election');
    const [leader, standby] = a.loop.isLeading ? [a, b] : [b, a];
    const standbyTicks = standby.ticks.length;
    const leaderTicks = leader.ticks.length;
    await eventually(() => leader.ticks.length >= leaderTicks + 3, 5_000, 'leader ticks');
    expect(standby.ticks.length).toBe(standbyTicks);

    // A clean stop hands the role to the standby.
    await leader.elector.stop();
    await eventually(() => standby.loop.isLeading, 5_000, 'the standby to lead');
    expect(leader.loop.isLeading).toBe(false);
  });

  it('runs a poked tick at once, never two at a time', async () => {
    const c = await replica('c');
    let running = 0;
    let overlapped = false;
    let count = 0;
    const elector = new LeaderElector({ db: c.db, scope: 'poke', logger: silentLogger, checkEveryMs: 200 });
    const loop = new LeaderLoop({
      name: 'slow',
      intervalMs: 60_000,
      logger: silentLogger,
      tick: async () => {
        overlapped ||= running > 0;
        running++;
        count++;
        await new Promise((r) => setTimeout(r, 50));
        running--;
      },
    });
    elector.add(loop);
    electors.push(elector);
    await elector.start();
    await eventually(() => count === 1, 2_000, 'first tick');
    for (let i = 0; i < 5; i++) loop.poke();
    await eventually(() => count === 2, 2_000, 'one poked tick');
    await new Promise((r) => setTimeout(r, 200));
    expect(count).toBe(2);
    expect(overlapped).toBe(false);
  });
});
