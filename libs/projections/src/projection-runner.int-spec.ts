import { Client } from 'pg';
import { monotonicFactory } from 'ulid';
import { EntitySchema, type MigrationInterface, type QueryRunner } from 'typeorm';
import { ProjectCreated, ProjectDeleted, ProjectRenamed, UserCreated, registry, stampEvents } from '@baton/events';
import { Broker, EventStore, QueryError, type Logger } from '@baton/event-store';
import { command, createTestNamespace, eventually, sleep, type TestNamespace } from '@baton/testing';
import { ProjectionCheckpoints1700000000000 } from './checkpoint.migration';
import { openDatabase, schemaOf } from './database';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { upsertRows } from './upsert-rows';

/** A row per project counting the events applied to it: a double application or a lost event shows. */
interface AppRow {
  id: string;
  count: number;
  lastSeq: number;
}

const AppEntity = new EntitySchema<AppRow>({
  name: 'AppRow',
  tableName: 'applications',
  columns: {
    id: { type: 'text', primary: true },
    count: { type: 'integer' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } },
  },
});

/** A table with nothing but its key (the upsert-rows bug). */
const KeyOnlyEntity = new EntitySchema<{ id: string }>({ name: 'KeyOnly', tableName: 'key_only', columns: { id: { type: 'text', primary: true } } });

class Applications1700000000500 implements MigrationInterface {
  name = 'Applications1700000000500';
  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."applications" ("id" text PRIMARY KEY, "count" integer NOT NULL, "last_seq" bigint NOT NULL)`);
    await q.query(`CREATE TABLE "${s}"."key_only" ("id" text PRIMARY KEY)`);
  }
  async down(): Promise<void> {}
}

const POISON = 'POISON';
const DELETE = 'DELETE';

/** The test projection, with what it was asked to evolve (per runner) and a switch that makes POISON throw. */
function probe(version = 1) {
  const state = { poisoned: false, evolved: [] as number[], poisonTries: 0, warnings: [] as string[] };
  const projection: Projection<AppRow> = {
    name: 'applications',
    version,
    entity: AppEntity,
    keysOf: (e) => (e.aggregate.type === 'project' ? [e.aggregate.id] : []),
    evolve(row, e, id) {
      state.evolved.push(e.position.seq);
      if (e.type === 'project.renamed' && (e.data as { name: string }).name === POISON && state.poisoned) {
        state.poisonTries++;
        throw new Error('poison event');
      }
      if (e.type === 'project.deleted') return null;
      return { id, count: (row?.count ?? 0) + 1, lastSeq: e.position.seq };
    },
  };
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (_o, msg) => void state.warnings.push(msg ?? '') };
  return { projection: projection as unknown as Projection, state, logger };
}

describe(ProjectionRunner.name, () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let pg: Client;
  const newId = monotonicFactory();
  const toStop: (() => Promise<void>)[] = [];
  /** Every event this file appended, in stream order: the model the read models must equal. */
  const log: { seq: number; id: string | null; deleted?: boolean }[] = [];
  const heads = new Map<string, number>();

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
    pg = new Client({ connectionString: ns.databaseUrl });
    await pg.connect();
  });
  afterEach(async () => {
    while (toStop.length) await toStop.pop()!();
  });
  afterAll(async () => {
    await pg?.end();
    await broker?.close();
    await ns?.cleanup();
  });

  /** Appends renames named `names` to project `id` (created first if new; DELETE deletes it); returns their sequences. */
  async function append(id: string, names: string[]): Promise<number[]> {
    const agg = { type: 'project' as const, id };
    const head = heads.get(id) ?? 0;
    const events = names.map((name) => (name === DELETE ? (ProjectDeleted({}) as never) : ProjectRenamed({ name, previousName: 'x' })));
    if (!head) events.unshift(ProjectCreated({ name: id, repository: { location: `/srv/${id}`, defaultBranch: 'main' }, concurrencyLimit: null, env: {} }) as never);
    const c = command('test.append', {}, { id: newId() });
    const { seqs, lastSeq } = await store.append(agg, stampEvents(c, agg, events, newId), { expectedLastSeq: head, msgIdBase: c.id });
    heads.set(id, lastSeq);
    const appended = head ? names : ['(created)', ...names];
    seqs.forEach((seq, i) => log.push({ seq, id, deleted: appended[i] === DELETE }));
    return seqs;
  }
  /** `n` events of new users: nothing the probe projection folds. */
  async function appendOthers(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const agg = { type: 'user' as const, id: newId().toLowerCase() };
      const c = command('test.append', {}, { id: newId() });
      const { seqs } = await store.append(agg, stampEvents(c, agg, [UserCreated({ name: `u${i}`, role: 'viewer' }) as never], newId), { expectedLastSeq: 0, msgIdBase: c.id });
      log.push({ seq: seqs[0], id: null });
    }
  }
  /** `n` new projects of `size` events each. */
  async function seed(n: number, size = 3): Promise<string[]> {
    const ids = Array.from({ length: n }, () => newId().toLowerCase());
    for (const id of ids) await append(id, Array.from({ length: size - 1 }, (_, i) => `r${i}`));
    return ids;
  }
  /** Appends a rename to one of `ids` every `gapMs` until the returned stop is awaited (also on failure). */
  function writer(ids: string[], gapMs: number): () => Promise<void> {
    let on = true;
    const done = (async () => {
      for (let i = 0; on; i++) {
        await append(ids[i % ids.length], [`w${i}`]);
        await sleep(gapMs);
      }
    })();
    const stop = async () => {
      on = false;
      await done;
    };
    toStop.push(stop);
    return stop;
  }
  const lastSeq = () => log[log.length - 1].seq;

  /** What the read model must hold once it has applied everything up to `upTo`. */
  function expected(upTo = lastSeq()): AppRow[] {
    const rows = new Map<string, AppRow>();
    for (const { seq, id, deleted } of log) {
      if (seq > upTo || !id) continue;
      if (deleted) rows.delete(id);
      else rows.set(id, { id, count: (rows.get(id)?.count ?? 0) + 1, lastSeq: seq });
    }
    return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async function rows(schema: string): Promise<AppRow[]> {
    const r = await pg.query(`SELECT id, count, last_seq FROM "${schema}".applications ORDER BY id COLLATE "C"`);
    return r.rows.map((x) => ({ id: x.id, count: x.count, lastSeq: Number(x.last_seq) }));
  }
  async function checkpoint(schema: string): Promise<number> {
    const r = await pg.query(`SELECT last_seq FROM "${schema}".projection_checkpoints WHERE name = 'applications'`);
    return r.rows.length ? Number(r.rows[0].last_seq) : 0;
  }

  /** A replica: its own database pool (and broker connection when asked), a runner over the probe projection. */
  async function replica(schema: string, service: string, opts: { version?: number; ownBroker?: boolean; name?: string; also?: Projection[] } = {}) {
    const db = await openDatabase({ url: ns.databaseUrl, schema, applicationName: opts.name, entities: [AppEntity, KeyOnlyEntity], migrations: [ProjectionCheckpoints1700000000000, Applications1700000000500] });
    const b = opts.ownBroker ? await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace }) : broker;
    const p = probe(opts.version);
    const applied: { lastSeq: number; count: number }[] = [];
    const runner = new ProjectionRunner({
      broker: b,
      store: opts.ownBroker ? new EventStore(b, registry) : store,
      db,
      service,
      projections: [p.projection, ...(opts.also ?? [])],
      logger: p.logger,
      onApplied: (_name, lastSeq, count) => void applied.push({ lastSeq, count }),
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await runner.stop();
      await db.destroy();
      if (b !== broker) await b.close();
    };
    toStop.push(stop);
    return { runner, db, state: p.state, applied, stop };
  }
  const schemaFor = (suffix: string) => `${ns.namespace}_${suffix}`;

  it('applies appended events, rows and checkpoint together, and waitFor resolves once they are visible', async () => {
    const schema = schemaFor('basic');
    await seed(5);
    const a = await replica(schema, 'basic');
    await a.runner.start();
    await a.runner.waitFor(lastSeq());
    expect(await rows(schema)).toEqual(expected());
    expect(await checkpoint(schema)).toBe(lastSeq());

    // Live appends while another connection watches: every snapshot has exactly the rows of its checkpoint.
    const ids = await seed(3, 1);
    let watching = true;
    const seen: { cp: number; total: number }[] = [];
    const watcher = (async () => {
      while (watching) {
        const r = await pg.query(
          `SELECT (SELECT last_seq FROM "${schema}".projection_checkpoints WHERE name = 'applications') AS cp, (SELECT coalesce(sum(count), 0) FROM "${schema}".applications) AS total`,
        );
        seen.push({ cp: Number(r.rows[0].cp), total: Number(r.rows[0].total) });
      }
    })();
    try {
      for (let i = 0; i < 60; i++) {
        await append(ids[i % 3], [`live${i}`]);
        if (i % 10 === 0) {
          // Read-your-writes: once waitFor resolves the row is there for any reader.
          await a.runner.waitFor(lastSeq());
          const r = await pg.query(`SELECT count, last_seq FROM "${schema}".applications WHERE id = $1`, [ids[i % 3]]);
          expect(Number(r.rows[0].last_seq)).toBe(lastSeq());
        }
      }
      await a.runner.waitFor(lastSeq());
    } finally {
      watching = false;
      await watcher;
    }
    expect(await rows(schema)).toEqual(expected());
    const inLog = (cp: number) => expected(cp).reduce((n, r) => n + r.count, 0);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.filter((s) => s.total !== inLog(s.cp))).toEqual([]);
    // More than one batch committed while watched (not one transaction at the end).
    expect(new Set(seen.map((s) => s.cp)).size).toBeGreaterThan(1);
  });

  it('a batch with nothing for the read model moves only its checkpoint, and follows a checkpoint moved back under it', async () => {
    const schema = schemaFor('others');
    await seed(2);
    const a = await replica(schema, 'others');
    await a.runner.start();
    await a.runner.waitFor(lastSeq());
    const folded = a.state.evolved.length;
    await appendOthers(3);
    await a.runner.waitFor(lastSeq());
    expect(await checkpoint(schema)).toBe(lastSeq());
    expect(a.state.evolved.length).toBe(folded);
    expect(await rows(schema)).toEqual(expected());

    // The database goes back to an earlier state (a restore: rows and checkpoint together). The next
    // batch, again of other events only, must not move the checkpoint over what was lost: the lane
    // follows the database and applies the project events after it again.
    const back = log.filter((e) => e.id !== null)[2].seq;
    await pg.query(`DELETE FROM "${schema}".applications`);
    for (const r of expected(back)) await pg.query(`INSERT INTO "${schema}".applications (id, count, last_seq) VALUES ($1, $2, $3)`, [r.id, r.count, r.lastSeq]);
    await pg.query(`UPDATE "${schema}".projection_checkpoints SET last_seq = $1 WHERE name = 'applications'`, [back]);
    const foldedBefore = a.state.evolved.length;
    await appendOthers(2);
    await eventually(async () => (await checkpoint(schema)) === lastSeq(), 10_000, 'the lane to catch up from the restored checkpoint');
    expect(await rows(schema)).toEqual(expected());
    const refolded = log.filter((e) => e.id !== null && e.seq > back).map((e) => e.seq);
    expect(refolded.length).toBeGreaterThan(0);
    expect(new Set(a.state.evolved.slice(foldedBefore))).toEqual(new Set(refolded));
  });

  it('read models that each skip the other\'s events move their checkpoints together, each over its own events only', async () => {
    const schema = schemaFor('lanes');
    // A second read model: a row per user, from user events only.
    const users: Projection<{ id: string }> = {
      name: 'key_only',
      version: 1,
      entity: KeyOnlyEntity,
      keysOf: (e) => (e.aggregate.type === 'user' ? [e.aggregate.id] : []),
      evolve: (_row, _e, id) => ({ id }),
    };
    const a = await replica(schema, 'lanes', { also: [users as unknown as Projection] });
    await a.runner.start();
    for (let i = 0; i < 5; i++) {
      await seed(1, 2);
      await appendOthers(2);
    }
    await a.runner.waitFor(lastSeq());
    const cps = await pg.query(`SELECT name, last_seq FROM "${schema}".projection_checkpoints ORDER BY name`);
    expect(cps.rows.map((r) => [r.name, Number(r.last_seq)])).toEqual([
      ['applications', lastSeq()],
      ['key_only', lastSeq()],
    ]);
    expect(await rows(schema)).toEqual(expected());
    const userIds = log.filter((e) => e.id === null).length;
    expect(Number((await pg.query(`SELECT count(*) AS n FROM "${schema}".key_only`)).rows[0].n)).toBe(userIds);
  });

  it('a batch whose checkpoint cannot be written leaves its rows unwritten too, and is retried from the checkpoint', async () => {
    const schema = schemaFor('atomic');
    const a = await replica(schema, 'atomic');
    await a.runner.start();
    await seed(2);
    await a.runner.waitFor(lastSeq());
    const before = lastSeq();
    // The rows of the next batch are upserted first; then the checkpoint update fails.
    await pg.query(`CREATE TABLE "${schema}".fault (at bigint)`);
    await pg.query(`CREATE FUNCTION "${schema}".fail_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF EXISTS (SELECT 1 FROM "${schema}".fault WHERE NEW.last_seq >= at) THEN RAISE EXCEPTION 'injected checkpoint failure'; END IF; RETURN NEW; END $$`);
    await pg.query(`CREATE TRIGGER fail_checkpoint BEFORE UPDATE ON "${schema}".projection_checkpoints FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_checkpoint()`);
    await pg.query(`INSERT INTO "${schema}".fault VALUES ($1)`, [before + 1]);
    const ids = await seed(2);
    await eventually(() => a.state.warnings.filter((w) => w === 'projection loop failed; retrying').length >= 2, 10_000, 'two failed attempts');
    const evolvedLate = a.state.evolved.filter((s) => s > before);
    expect(evolvedLate.length).toBeGreaterThan(0); // the batch really was folded, then rolled back
    expect(await checkpoint(schema)).toBe(before);
    expect(await rows(schema)).toEqual(expected(before));
    expect((await pg.query(`SELECT id FROM "${schema}".applications WHERE id = ANY($1)`, [ids])).rows).toEqual([]);
    await expect(a.runner.waitFor(lastSeq(), 300)).rejects.toBeInstanceOf(QueryError);

    await pg.query(`DELETE FROM "${schema}".fault`);
    await a.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(expected());
  });

  it('a projection that throws on a poison event blocks there, all-or-nothing, retrying until it is fixed', async () => {
    const schema = schemaFor('poison');
    // A backlog with the poison in the middle: the first batch holds events before and after it.
    await seed(3);
    const [victim] = await seed(1, 1);
    const [poisonSeq] = await append(victim, [POISON]);
    await append(victim, ['after1', 'after2']);
    await seed(2);
    const a = await replica(schema, 'poison');
    a.state.poisoned = true;
    await a.runner.start();
    await eventually(() => a.state.poisonTries >= 2, 10_000, 'the poison to be retried');
    const cp = await checkpoint(schema);
    expect(cp).toBeLessThan(poisonSeq);
    expect(await rows(schema)).toEqual(expected(cp));
    // The failed batch had folded events past the checkpoint before the poison threw: none of them landed.
    expect(a.state.evolved.some((s) => s > cp && s < poisonSeq)).toBe(true);
    expect(a.runner.status()[0].phase).toMatch(/retrying|resetting|fetching|applying/);
    // It says so (admin, metrics): failed tries in a row, and why.
    expect(a.runner.status()[0]).toMatchObject({ failures: expect.any(Number), lastError: expect.stringContaining('poison event') });
    expect(a.runner.status()[0].failures).toBeGreaterThanOrEqual(2);

    a.state.poisoned = false; // the fix: the same event now folds
    await a.runner.waitFor(lastSeq(), 10_000);
    expect(a.runner.status()[0]).toMatchObject({ failures: 0, lastError: null });
    expect(await rows(schema)).toEqual(expected());
    expect((await rows(schema)).find((r) => r.id === victim)).toEqual({ id: victim, count: 4, lastSeq: poisonSeq + 2 });
  });

  it('deletes the rows an event folds to null, and recreates them later', async () => {
    const schema = schemaFor('delete');
    const a = await replica(schema, 'delete');
    await a.runner.start();
    const [gone, kept] = await seed(2);
    await append(gone, [DELETE]);
    const [fleeting] = await seed(1, 1);
    await append(fleeting, ['x', DELETE]); // created and deleted in one batch: never a row
    await a.runner.waitFor(lastSeq());
    const now = await rows(schema);
    expect(now).toEqual(expected());
    expect(now.map((r) => r.id)).toContain(kept);
    expect(now.map((r) => r.id)).not.toContain(gone);
    expect(now.map((r) => r.id)).not.toContain(fleeting);

    await append(gone, ['back']);
    await a.runner.waitFor(lastSeq());
    expect((await rows(schema)).find((r) => r.id === gone)).toEqual({ id: gone, count: 1, lastSeq: lastSeq() });
    expect(await rows(schema)).toEqual(expected());
  });

  it('skips an undecodable event and goes on', async () => {
    const schema = schemaFor('garbage');
    const a = await replica(schema, 'garbage');
    await a.runner.start();
    await seed(1);
    const ack = await broker.js.publish(broker.names.evt('project', 'garbage'), new TextEncoder().encode('{not json'));
    log.push({ seq: ack.seq, id: null });
    await seed(1);
    await a.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(expected());
    expect(a.state.warnings).toContain('undecodable event skipped');
    expect(a.state.evolved).not.toContain(ack.seq);
  });

  it('a restarted runner applies nothing at or below its checkpoint', async () => {
    const schema = schemaFor('restart');
    await seed(4);
    const a = await replica(schema, 'restart');
    await a.runner.start();
    await a.runner.waitFor(lastSeq());
    await a.stop();
    const atStop = await checkpoint(schema);
    expect(atStop).toBe(lastSeq());

    const more = await seed(2);
    await append(more[0], ['x', 'y']);
    const b = await replica(schema, 'restart');
    await b.runner.start();
    await b.runner.waitFor(lastSeq());
    expect(await rows(schema)).toEqual(expected());
    expect(b.state.evolved.length).toBeGreaterThan(0);
    expect(b.state.evolved.filter((s) => s <= atStop)).toEqual([]);

    // And a restart with nothing new applies nothing at all.
    await b.stop();
    const c = await replica(schema, 'restart');
    await c.runner.start();
    await c.runner.waitFor(lastSeq());
    await sleep(300);
    expect(c.state.evolved).toEqual([]);
    expect(await rows(schema)).toEqual(expected());
  });

  it('rebuild truncates and replays the log from sequence 1 to the same rows; so does a version bump', async () => {
    const schema = schemaFor('rebuild');
    await seed(3);
    const a = await replica(schema, 'rebuild');
    await a.runner.start();
    await a.runner.waitFor(lastSeq());
    const want = expected();
    expect(await rows(schema)).toEqual(want);
    // A row damaged behind the runner's back, and one that should not exist: the rebuild restores the log's truth.
    await pg.query(`UPDATE "${schema}".applications SET count = 999 WHERE id = $1`, [want[0].id]);
    await pg.query(`INSERT INTO "${schema}".applications VALUES ('stray', 1, 1)`);
    a.state.evolved.length = 0;

    await a.runner.rebuild('applications');
    await a.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(want);
    expect(Math.min(...a.state.evolved)).toBe(log.find((e) => e.id)!.seq); // replayed from the start
    expect(a.state.evolved.filter((s, i, all) => all.indexOf(s) !== i)).toEqual([]); // each event once
    await expect(a.runner.rebuild('nope')).rejects.toThrow(/unknown projection/);
    await a.stop();

    await pg.query(`UPDATE "${schema}".applications SET count = 999`);
    const v2 = await replica(schema, 'rebuild', { version: 2 });
    await v2.runner.start();
    await v2.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(want);
    expect((await pg.query(`SELECT version FROM "${schema}".projection_checkpoints`)).rows).toEqual([{ version: 2 }]);
  });

  it('two replicas: exactly one leads; when it stops the other takes over without gaps or doubles', async () => {
    const schema = schemaFor('leader');
    await seed(3);
    const a = await replica(schema, 'leader');
    const b = await replica(schema, 'leader', { ownBroker: true });
    await a.runner.start();
    await b.runner.start();
    expect([a.runner.isLeader('applications'), b.runner.isLeader('applications')]).toEqual([true, false]);
    await a.runner.waitFor(lastSeq());
    await expect(b.runner.rebuild('applications')).rejects.toThrow(/does not lead/);
    // The standby still answers read-your-writes from the database.
    await b.runner.waitFor(lastSeq());

    // Events keep coming while the leader stops.
    const stopWriting = writer(await seed(4, 1), 20);
    await sleep(300);
    await a.stop();
    const atHandover = await checkpoint(schema);
    await eventually(() => b.runner.isLeader('applications'), 6_000, 'the standby to take over');
    await sleep(300);
    await stopWriting();
    await b.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(expected());
    expect(b.state.evolved.filter((s) => s <= atHandover)).toEqual([]);
    expect(b.state.evolved.length).toBeGreaterThan(0);
    expect(a.state.evolved.every((s) => s <= atHandover)).toBe(true);
  });

  it('two replicas: a leader that lost its lock but is mid-commit (split brain) and the new leader never double-apply', async () => {
    const schema = schemaFor('failover');
    await seed(2);
    const a = await replica(schema, 'failover', { name: 'replica_a' });
    const b = await replica(schema, 'failover', { ownBroker: true, name: 'replica_b' });
    await a.runner.start();
    await b.runner.start();
    await a.runner.waitFor(lastSeq());
    // Replica A's next commit stalls after writing its rows, holding the checkpoint row.
    await pg.query(`CREATE FUNCTION "${schema}".stall_a() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF current_setting('application_name') = 'replica_a' THEN PERFORM pg_sleep(1.5); END IF; RETURN NEW; END $$`);
    await pg.query(`CREATE TRIGGER stall_a BEFORE UPDATE ON "${schema}".projection_checkpoints FOR EACH ROW EXECUTE FUNCTION "${schema}".stall_a()`);
    const stopWriting = writer(await seed(4, 1), 10);
    await eventually(
      async () => (await pg.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'replica_a' AND wait_event = 'PgSleep'`)).rowCount === 1,
      5_000,
      'replica A to stall mid-commit',
    );
    // Its lock dies with its connection; it notices only at its next check (≤ 2 s). The standby elects at
    // once: it starts from the committed checkpoint, behind A's batch in flight, and both apply.
    const key = `baton-projection:${schema}:applications`;
    const { rows: holders } = await pg.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::int = hashtext($1)`, [key]);
    expect(holders).toHaveLength(1);
    await pg.query('SELECT pg_terminate_backend($1)', [holders[0].pid]);
    await eventually(async () => (await pg.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid::int = hashtext($1)`, [key])).rowCount === 0, 5_000, 'the lock to be freed');
    const aCommitted = a.applied.length;
    await (b.runner as unknown as { elect(): Promise<void> }).elect();
    expect(b.runner.isLeader('applications')).toBe(true);
    expect(a.runner.isLeader('applications')).toBe(true); // not noticed yet
    await pg.query(`DROP TRIGGER stall_a ON "${schema}".projection_checkpoints`);
    await eventually(() => !a.runner.isLeader('applications'), 6_000, 'the old leader to stand down');
    expect(a.applied.length).toBeGreaterThan(aCommitted); // A's stalled batch did commit after B took over
    await sleep(300);
    await stopWriting();
    await b.runner.waitFor(lastSeq(), 10_000);
    expect(await rows(schema)).toEqual(expected());
    expect(b.runner.isLeader('applications')).toBe(true);
    expect(a.runner.isLeader('applications')).toBe(false);
  });

  it('upserts rows of an entity that has only a primary key', async () => {
    const schema = schemaFor('keyonly');
    const a = await replica(schema, 'keyonly');
    const p = { name: 'key_only', version: 1, entity: KeyOnlyEntity } as unknown as Projection;
    await a.db.transaction((em) => upsertRows(em, a.db, p, [{ id: 'a' }, { id: 'b' }]));
    await a.db.transaction((em) => upsertRows(em, a.db, p, [{ id: 'b' }, { id: 'c' }]));
    expect((await pg.query(`SELECT id FROM "${schema}".key_only ORDER BY id`)).rows).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });
});
