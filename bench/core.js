'use strict';
// Core suite: the event store's append path and the projection runtime's rebuild, each
// next to a raw baseline (plain JetStream / plain pg) measured in the same run.

const { Client } = require('pg');
const { monotonicFactory } = require('ulid');
const { DeliverPolicy, RetentionPolicy, StorageType } = require('@nats-io/jetstream');
const { Broker, EventStore } = require('@baton/event-store');
const { registry, stampEvents, ProjectCreated, ProjectRenamed } = require('@baton/events');
const { ProjectionRunner, openDatabase, ProjectionCheckpoints1700000000000 } = require('@baton/projections');
const { projectsProjection } = require('../apps/tasks/dist/read-models/projects/projects.projection');
const { Projects1700000000100 } = require('../apps/tasks/dist/migrations/1700000000100-projects');
const { pipelined, timed, percentile, rate, round } = require('./lib/measure');

const newId = monotonicFactory();
const encoder = new TextEncoder();

const APPEND_EVENTS = 20_000;
const APPEND_WINDOW = 512;
const APPEND_ROUNDS = 3; // best of, raw and store alternating, so drift hits both alike
const LATENCY_SAMPLES = 2_000;
const REBUILD_PROJECTS = 20_000;
const RENAMES_PER_PROJECT = 4; // 20k created + 80k renamed = 100k events
const PG_BATCH = 1_000;
const REBUILD_TIMEOUT_MS = 150_000;

/** With BENCH_CPU_PROF=<file>, a CPU profile of the rebuild alone (open it in Chrome DevTools). */
async function profiler(ctx) {
  const file = process.env.BENCH_CPU_PROF;
  if (!file) return { stop: async () => undefined };
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((res, rej) => session.post(method, params, (err, out) => (err ? rej(err) : res(out))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = await post('Profiler.stop');
      require('node:fs').writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      ctx.log(`CPU profile of the rebuild written to ${file}`);
    },
  };
}

function command(type) {
  const id = newId();
  return { id, type, actor: { kind: 'system', id: 'bench' }, correlationId: id, issuedAt: new Date().toISOString(), data: {} };
}

function createdEvent(aggregate, i) {
  const cmd = command('project.create');
  const [event] = stampEvents(cmd, aggregate, [
    ProjectCreated({
      name: `Project ${i}`,
      repository: { location: `/srv/repos/project-${i}`, defaultBranch: 'main' },
      concurrencyLimit: 4,
      env: { CI: '1' },
    }),
  ], newId);
  return { event, msgIdBase: cmd.id };
}

function renamedEvent(aggregate, i, round) {
  const cmd = command('project.rename');
  const [event] = stampEvents(cmd, aggregate, [ProjectRenamed({ name: `Project ${i} r${round + 1}`, previousName: round ? `Project ${i} r${round}` : `Project ${i}` })], newId);
  return { event, msgIdBase: cmd.id };
}

/** The bytes `store.append` would put on the wire: what the raw baseline publishes. */
const wireBytes = (event) => encoder.encode(JSON.stringify(registry.encodeEvent(event)));

function logger(ctx) {
  const say = (level) => (obj, msg) => ctx.log(`runner ${level}: ${msg ?? ''}`, obj && obj.err ? obj.err.message ?? obj.err : JSON.stringify(obj));
  return { debug() {}, info() {}, warn: say('warn'), error: say('error') };
}

async function connectBroker(ctx, namespace) {
  const broker = await Broker.connect({ servers: ctx.natsUrl, namespace, name: `baton-bench-${namespace}` });
  ctx.defer(() => broker.close());
  await broker.ensureTopology();
  return broker;
}

/** A stream beside the events stream, same storage, for raw publishes that must not pollute the log. */
async function scratchStream(broker) {
  const n = broker.names;
  const name = `${n.namespace.toUpperCase()}_SCRATCH`;
  await broker.jsm.streams.add({
    name,
    subjects: [`${n.namespace}.scratch.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_msgs: -1,
    max_bytes: -1,
    num_replicas: 1,
    duplicate_window: 120_000 * 1_000_000,
  });
  return { name, subject: (id) => `${n.namespace}.scratch.project.${id}` };
}

// ---------------------------------------------------------------------------------------------
// 1 + 2. Append throughput (pipelined) and latency (one at a time, optimistic concurrency)

async function appendBenchmarks(ctx) {
  const { namespace } = await ctx.namespace('app');
  const broker = await connectBroker(ctx, namespace);
  const store = new EventStore(broker, registry);
  const scratch = await scratchStream(broker);
  const n = ctx.size(APPEND_EVENTS, 500);

  const batch = (count) =>
    Array.from({ length: count }, (_, i) => {
      const aggregate = { type: 'project', id: newId() };
      const { event, msgIdBase } = createdEvent(aggregate, i);
      return { aggregate, event, msgIdBase, bytes: wireBytes(event) };
    });
  const viaStore = (items) => pipelined(items.length, APPEND_WINDOW, (i) => store.append(items[i].aggregate, [items[i].event], { expectedLastSeq: 0, msgIdBase: items[i].msgIdBase }));
  const viaRaw = (items) => pipelined(items.length, APPEND_WINDOW, (i) => broker.js.publish(scratch.subject(items[i].aggregate.id), items[i].bytes));

  // Warm-up: connections, server-side file blocks, JIT.
  const warm = batch(Math.min(1_000, n));
  await viaRaw(warm);
  await viaStore(warm);

  let best = { store: 0, raw: 0 };
  for (let r = 0; r < APPEND_ROUNDS; r++) {
    const items = batch(n);
    const bytes = items.reduce((s, it) => s + it.bytes.length, 0) / items.length;
    const order = r % 2 ? ['store', 'raw'] : ['raw', 'store'];
    for (const which of order) {
      const { ms } = await timed(() => (which === 'store' ? viaStore(items) : viaRaw(items)));
      const evs = rate(n, ms);
      ctx.log(`append round ${r + 1} ${which}: ${n} events of ~${Math.round(bytes)} B in ${ms.toFixed(0)} ms = ${evs} ev/s`);
      best[which] = Math.max(best[which], evs);
    }
  }
  const ratio = round(best.store / best.raw, 3);
  ctx.report({ name: 'append.pipelined', value: best.store, unit: 'ev/s', raw: best.raw, ratio, target: 'ratio>=0.5', ok: ratio >= 0.5 });

  // Latency: sequential appends to ONE aggregate, each expecting the previous sequence.
  const samples = ctx.size(LATENCY_SAMPLES, 200);
  const warmup = Math.min(200, samples);
  const aggregate = { type: 'project', id: newId() };
  const created = createdEvent(aggregate, 0);
  let last = (await store.append(aggregate, [created.event], { expectedLastSeq: 0, msgIdBase: created.msgIdBase })).lastSeq;
  const renames = Array.from({ length: warmup + samples }, (_, i) => renamedEvent(aggregate, 0, i));
  const storeMs = [];
  for (let i = 0; i < renames.length; i++) {
    const t0 = performance.now();
    last = (await store.append(aggregate, [renames[i].event], { expectedLastSeq: last, msgIdBase: renames[i].msgIdBase })).lastSeq;
    if (i >= warmup) storeMs.push(performance.now() - t0);
  }
  const rawSubject = scratch.subject(aggregate.id);
  const payloads = renames.map((r) => wireBytes(r.event));
  const rawMs = [];
  for (let i = 0; i < payloads.length; i++) {
    const t0 = performance.now();
    await broker.js.publish(rawSubject, payloads[i]);
    if (i >= warmup) rawMs.push(performance.now() - t0);
  }
  for (const p of [50, 99]) {
    const value = round(percentile(storeMs, p), 3);
    const raw = round(percentile(rawMs, p), 3);
    ctx.report({ name: `append.latency.p${p}`, value, unit: 'ms', raw, ratio: round(value / raw, 2) });
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Projection rebuild: 100k events into Postgres with the real runner and projection

async function buildLog(ctx, store, projects, renamesPer) {
  const aggregates = Array.from({ length: projects }, () => ({ type: 'project', id: newId() }));
  const lastSeq = new Array(projects).fill(0);
  const t0 = performance.now();
  await pipelined(projects, APPEND_WINDOW, async (i) => {
    const { event, msgIdBase } = createdEvent(aggregates[i], i);
    lastSeq[i] = (await store.append(aggregates[i], [event], { expectedLastSeq: 0, msgIdBase })).lastSeq;
  });
  // Renames in rounds: each round touches every project once, so a batch spreads over many rows.
  for (let r = 0; r < renamesPer; r++) {
    await pipelined(projects, APPEND_WINDOW, async (i) => {
      const { event, msgIdBase } = renamedEvent(aggregates[i], i, r);
      lastSeq[i] = (await store.append(aggregates[i], [event], { expectedLastSeq: lastSeq[i], msgIdBase })).lastSeq;
    });
  }
  const total = projects * (1 + renamesPer);
  ctx.log(`log built: ${total} events in ${((performance.now() - t0) / 1000).toFixed(1)} s (${rate(total, performance.now() - t0)} ev/s via the store)`);
  return total;
}

/** (a) Ordered consumer over the whole log, bytes touched but not decoded. */
async function rawConsume(broker, lastSeq) {
  const consumer = await broker.js.consumers.get(broker.names.streams.events, { filter_subjects: broker.names.evtAll, deliver_policy: DeliverPolicy.All });
  const t0 = performance.now();
  const messages = await consumer.consume({ max_messages: 2_000 });
  let count = 0;
  let bytes = 0;
  try {
    for await (const m of messages) {
      count++;
      bytes += m.data.length;
      if (m.seq >= lastSeq) break;
    }
  } finally {
    messages.stop();
  }
  return { ms: performance.now() - t0, count, bytes };
}

/** (b) Multi-row INSERTs of rows shaped like the read model's, into a scratch copy of its table. */
async function rawInsert(databaseUrl, schema, rows) {
  const pg = new Client({ connectionString: databaseUrl, application_name: 'baton-bench-raw' });
  await pg.connect();
  try {
    const table = `"${schema}"."bench_scratch_projects"`;
    await pg.query(`CREATE TABLE ${table} (LIKE "${schema}"."projects" INCLUDING ALL)`);
    const cols = 11;
    const issued = new Date().toISOString();
    const values = [];
    for (let i = 0; i < PG_BATCH; i++) values.push(`(${Array.from({ length: cols }, (_, c) => `$${i * cols + c + 1}`).join(',')})`);
    const sqlFor = (k) => `INSERT INTO ${table} (id, name, repository_location, default_branch, concurrency_limit, env, status, created_at, updated_at, event_count, last_seq) VALUES ${values.slice(0, k).join(',')}`;
    const full = sqlFor(PG_BATCH);
    const t0 = performance.now();
    for (let start = 0; start < rows; start += PG_BATCH) {
      const k = Math.min(PG_BATCH, rows - start);
      const params = [];
      for (let i = start; i < start + k; i++) {
        params.push(newId(), `Project ${i} r4`, `/srv/repos/project-${i}`, 'main', 4, '{"CI":"1"}', 'active', issued, issued, 5, i + 1);
      }
      await pg.query(k === PG_BATCH ? full : sqlFor(k), params);
    }
    const ms = performance.now() - t0;
    await pg.query(`DROP TABLE ${table}`);
    return { ms };
  } finally {
    await pg.end().catch(() => undefined);
  }
}

async function rebuildBenchmark(ctx) {
  const { namespace, databaseUrl } = await ctx.namespace('proj', { database: true });
  const broker = await connectBroker(ctx, namespace);
  const store = new EventStore(broker, registry);
  const total = await buildLog(ctx, store, ctx.size(REBUILD_PROJECTS, 100), RENAMES_PER_PROJECT);
  const lastSeq = await store.lastSeq();
  if (lastSeq !== total) throw new Error(`log has ${lastSeq} events, expected ${total}`);

  const schema = broker.names.pgSchema('tasks');
  const db = await openDatabase({
    url: databaseUrl,
    schema,
    entities: [projectsProjection.entity],
    migrations: [ProjectionCheckpoints1700000000000, Projects1700000000100],
    applicationName: 'baton-bench',
  });
  ctx.defer(() => db.destroy());

  const consumed = await rawConsume(broker, lastSeq);
  if (consumed.count !== total) throw new Error(`raw consume saw ${consumed.count} messages, expected ${total}`);
  const rawJs = rate(total, consumed.ms);
  ctx.log(`raw consume: ${total} msgs, ${(consumed.bytes / 1e6).toFixed(1)} MB in ${consumed.ms.toFixed(0)} ms`);
  ctx.report({ name: 'raw.jetstream.consume', value: rawJs, unit: 'ev/s' });

  const inserted = await rawInsert(databaseUrl, schema, total);
  const rawPg = rate(total, inserted.ms);
  ctx.log(`raw insert: ${total} rows in batches of ${PG_BATCH} in ${inserted.ms.toFixed(0)} ms`);
  ctx.report({ name: 'raw.postgres.insert', value: rawPg, unit: 'rows/s' });

  // The rebuild: an empty schema, a runner started from nothing, until its checkpoint is the log's end.
  const batches = [];
  let reached;
  const done = new Promise((resolve) => (reached = resolve));
  const prof = await profiler(ctx);
  const t0 = performance.now();
  const runner = new ProjectionRunner({
    broker,
    store,
    db,
    service: 'bench',
    projections: [projectsProjection],
    logger: logger(ctx),
    onApplied: (_name, seq, count, ms) => {
      batches.push({ count, ms });
      if (seq >= lastSeq) reached(performance.now());
    },
  });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await runner.stop();
    stopped = true;
  };
  ctx.defer(stop);
  await runner.start();
  let timer;
  const t1 = await Promise.race([done, new Promise((resolve) => (timer = setTimeout(() => resolve(null), REBUILD_TIMEOUT_MS)))]);
  clearTimeout(timer);
  await prof.stop();
  await stop();
  const checkpoint = (await runner.checkpoints()).projects ?? 0;
  const elapsed = (t1 ?? performance.now()) - t0;
  const applied = batches.reduce((s, b) => s + b.count, 0);
  const inBatches = batches.reduce((s, b) => s + b.ms, 0);
  ctx.log(
    `rebuild: checkpoint ${checkpoint}/${lastSeq} after ${elapsed.toFixed(0)} ms${t1 ? '' : ' (TIMED OUT)'}; ${batches.length} batches, ` +
      `avg ${(applied / Math.max(1, batches.length)).toFixed(0)} ev and ${(inBatches / Math.max(1, batches.length)).toFixed(1)} ms per batch; ` +
      `${((inBatches / elapsed) * 100).toFixed(0)}% of the time inside applyBatch (decode + transaction)`,
  );

  // Same answer as folding the log: one row per project, every event counted once.
  const [{ rows, events }] = await db.query(`SELECT count(*)::int AS rows, coalesce(sum(event_count), 0)::int AS events FROM "${schema}"."projects"`);
  const projects = total / (1 + RENAMES_PER_PROJECT);
  const correct = checkpoint === lastSeq && rows === projects && events === total;
  if (!correct) ctx.log(`rebuild result WRONG: ${rows} rows (want ${projects}), ${events} events counted (want ${total}), checkpoint ${checkpoint} (want ${lastSeq})`);

  const value = rate(checkpoint, elapsed);
  const raw = Math.min(rawJs, rawPg);
  const ratio = round(value / raw, 3);
  ctx.report({
    name: 'projection.rebuild',
    value,
    unit: 'ev/s',
    raw,
    ratio,
    target: 'value>=20000&&ratio>=0.3',
    ok: correct && value >= 20_000 && ratio >= 0.3,
  });
}

async function run(ctx) {
  if (ctx.wants('append')) await appendBenchmarks(ctx);
  if (ctx.wants('projection.rebuild')) await rebuildBenchmark(ctx);
}

module.exports = { run };
