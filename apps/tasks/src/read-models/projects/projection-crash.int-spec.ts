import { Client } from 'pg';
import { monotonicFactory } from 'ulid';
import { ProjectCreated, ProjectRenamed, registry, stampEvents, type CommandEnvelope } from '@baton/events';
import { Broker, EventStore, silentLogger } from '@baton/event-store';
import { openDatabase, ProjectionCheckpoints1700000000000, ProjectionRunner } from '@baton/projections';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { Projects1700000000100 } from '../../migrations/1700000000100-projects';
import { projectsProjection } from './projects.projection';

const PROJECTS = 8_000;
const RENAMES_PER_PROJECT = 7; // 64,000 events: long enough to be killed in the middle

describe('projects read model survives kill -9 of the tasks service mid-batch', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let pg: Client;
  const newId = monotonicFactory();

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
    pg = new Client({ connectionString: ns.databaseUrl });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await broker?.close();
    await ns?.cleanup();
  });

  const cmd = (): CommandEnvelope => {
    const id = newId();
    return { id, type: 'seed', actor: { kind: 'system', id: 'seed' }, correlationId: id, issuedAt: new Date().toISOString(), data: {} };
  };

  async function seed(): Promise<number> {
    let inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const agg = { type: 'project' as const, id: newId() };
      const events = [
        ProjectCreated({ name: `P${i}`, repository: { location: `/srv/p${i}`, defaultBranch: 'main' }, concurrencyLimit: null, env: {} }),
        ...Array.from({ length: RENAMES_PER_PROJECT }, (_, r) => ProjectRenamed({ name: `P${i}.${r + 1}`, previousName: r ? `P${i}.${r}` : `P${i}` })),
      ];
      const c = cmd();
      inFlight.push(store.append(agg, stampEvents(c, agg, events, newId), { expectedLastSeq: 0, msgIdBase: c.id }));
      if (inFlight.length >= 256) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    return store.lastSeq();
  }

  const checkpoint = async (schema: string) => {
    const { rows } = await pg.query(`SELECT last_seq FROM "${schema}".projection_checkpoints WHERE name = 'projects'`).catch(() => ({ rows: [] }));
    return rows.length ? Number(rows[0].last_seq) : 0;
  };

  it('restarts, catches up, and equals a fresh rebuild: nothing lost, nothing applied twice', async () => {
    const lastSeq = await seed();
    expect(lastSeq).toBe(PROJECTS * (1 + RENAMES_PER_PROJECT));
    const schema = broker.names.pgSchema('tasks');

    const first = await startService('tasks', ns.env);
    const atKill = await eventually(async () => {
      const c = await checkpoint(schema);
      return c > 0 ? c : undefined;
    }, 30_000, 'the first batch to commit');
    await first.kill9();
    const afterKill = await checkpoint(schema);
    expect(atKill).toBeLessThan(lastSeq); // really killed in the middle of the log
    expect(afterKill).toBeLessThan(lastSeq);

    const second = await startService('tasks', ns.env);
    await eventually(async () => (await checkpoint(schema)) === lastSeq, 60_000, 'the restarted service to catch up');
    await second.stop();

    // A fresh rebuild of the same log into a scratch schema, by the same runtime.
    const scratch = `${ns.namespace}_verify`;
    const db = await openDatabase({
      url: ns.databaseUrl,
      schema: scratch,
      entities: [projectsProjection.entity],
      migrations: [ProjectionCheckpoints1700000000000, Projects1700000000100],
    });
    const runner = new ProjectionRunner({ broker, store, db, service: 'verify', projections: [projectsProjection], logger: silentLogger });
    await runner.start();
    await eventually(async () => (await checkpoint(scratch)) === lastSeq, 60_000, 'the fresh rebuild');
    await runner.stop();
    await db.destroy();

    const rows = async (s: string) => (await pg.query(`SELECT * FROM "${s}".projects ORDER BY id`)).rows;
    const live = await rows(schema);
    const rebuilt = await rows(scratch);
    expect(live).toHaveLength(PROJECTS);
    expect(live).toEqual(rebuilt);
    const { rows: sums } = await pg.query(`SELECT sum(event_count)::int AS applied FROM "${schema}".projects`);
    expect(sums[0].applied).toBe(lastSeq); // every event applied exactly once
  }, 180_000);
});
