import { AckPolicy, DeliverPolicy, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { DomainEvent, RecordedEvent } from '@baton/events';
import { LIVE_PULL, QueryError, type Broker, type EventStore, type Logger } from '@baton/event-store';
import { foldAfter, type Projection } from './projection';
import { upsertRows } from './upsert-rows';

export interface ProjectionRunnerOptions {
  broker: Broker;
  store: EventStore;
  db: DataSource;
  /** Service name: prefixes durable consumers and advisory locks. */
  service: string;
  projections: Projection[];
  logger: Logger;
  batchSize?: number;
  /**
   * Called after each committed batch (metrics, live fan-out); `lastAppendedAt` is when the
   * batch's last event was stored in the stream (epoch ms).
   */
  onApplied?: (projection: string, lastSeq: number, count: number, ms: number, lastAppendedAt: number) => void;
}

interface Lane {
  projection: Projection;
  leader: boolean;
  running: boolean;
  loop?: Promise<void>;
  stopFetch?: () => void;
  lastSeq: number;
  /** A rebuild in progress (admin): a second request joins it rather than racing it. */
  rebuilding?: Promise<void>;
  /** What the loop is doing, since when, and how many messages it holds (admin, diagnosis). */
  phase: LanePhase;
  phaseAt: number;
  buffered: number;
  /** Tries in a row that failed, and why the last one did: a poison event holds the lane here. */
  failures: number;
  lastError: string | null;
}

export type LanePhase = 'standby' | 'starting' | 'fetching' | 'applying' | 'retrying' | 'resetting' | 'stopped';

/**
 * Durable pull consumer per projection → batch → apply rows and checkpoint in ONE
 * transaction → commit → ack. Events at or below the checkpoint are skipped, so
 * redelivery is harmless. One replica per projection applies (a Postgres advisory
 * lock on a dedicated connection elects it); the others stand by and take over
 * when its connection drops.
 */
export class ProjectionRunner {
  private readonly lanes = new Map<string, Lane>();
  /**
   * Events decoded by one lane, for the others: every lane reads the same log at about the same
   * place, and decoding (JSON and schema) each event once per read model was the largest part of
   * applying it (docs/decisions/0026). Projections are pure: none changes the event it is given.
   */
  private readonly decoded = new Map<number, RecordedEvent<DomainEvent>>();
  private readonly moves: { name: string; lastSeq: number; after: number; resolve: (moved: boolean) => void; reject: (e: unknown) => void }[] = [];
  private movesFlushing?: Promise<void>;
  private lockRunner?: import('typeorm').QueryRunner;
  private stopping = false;
  private electTimer?: NodeJS.Timeout;

  constructor(private readonly opts: ProjectionRunnerOptions) {
    for (const p of opts.projections) {
      if (!/^[a-z][a-z0-9_]{0,40}$/.test(p.name)) throw new Error(`bad projection name "${p.name}"`);
      this.lanes.set(p.name, { projection: p, leader: false, running: false, lastSeq: 0, phase: 'standby', phaseAt: Date.now(), buffered: 0, failures: 0, lastError: null });
    }
  }

  private get schema(): string {
    return (this.opts.db.options as { schema: string }).schema;
  }

  private table(p: Projection): string {
    return `"${this.schema}"."${this.opts.db.getMetadata(p.entity).tableName}"`;
  }

  consumerName(p: Projection): string {
    return `${this.opts.service}-${p.name}`;
  }

  async start(): Promise<void> {
    this.lockRunner = this.opts.db.createQueryRunner();
    await this.lockRunner.connect();
    await this.elect();
    this.scheduleElection();
  }

  /** Takes every projection whose lock is free; retried while standing by. */
  private async elect(): Promise<void> {
    if (this.stopping) return;
    for (const lane of this.lanes.values()) {
      if (lane.leader) continue;
      const [{ locked }] = (await this.lockRunner!.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `baton-projection:${this.schema}:${lane.projection.name}`,
      ])) as { locked: boolean }[];
      if (!locked) continue;
      lane.leader = true;
      await this.prepare(lane);
      this.run(lane);
    }
  }

  private scheduleElection(): void {
    if (this.stopping) return;
    this.electTimer = setTimeout(() => {
      void this.keepLeadership()
        .catch((e) => this.opts.logger.warn({ err: e }, 'projection election failed'))
        .finally(() => this.scheduleElection());
    }, 2_000);
  }

  /** The lock lives as long as its connection: if that connection is gone, so is leadership. */
  private async keepLeadership(): Promise<void> {
    if (this.stopping) return;
    const alive = await this.lockRunner!.query('SELECT 1').then(
      () => true,
      () => false,
    );
    if (!alive) {
      this.opts.logger.warn({}, 'lost the projection lock connection; standing down');
      for (const lane of this.lanes.values()) {
        lane.running = false;
        lane.leader = false;
        lane.stopFetch?.();
      }
      await Promise.allSettled([...this.lanes.values()].map((l) => l.loop));
      await this.lockRunner!.release().catch(() => undefined);
      this.lockRunner = this.opts.db.createQueryRunner();
      await this.lockRunner.connect().catch(() => undefined);
    }
    await this.elect();
  }

  /** Checkpoint row exists and matches the projection's version; a changed version rebuilds. */
  private async prepare(lane: Lane): Promise<void> {
    const { projection: p } = lane;
    const rows = (await this.opts.db.query(`SELECT version, last_seq FROM "${this.schema}".projection_checkpoints WHERE name = $1`, [
      p.name,
    ])) as { version: number; last_seq: string }[];
    if (!rows.length) {
      await this.opts.db.query(`INSERT INTO "${this.schema}".projection_checkpoints (name, version, last_seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [
        p.name,
        p.version,
      ]);
      lane.lastSeq = 0;
      await this.resetConsumer(p, 1);
    } else if (rows[0].version !== p.version) {
      this.opts.logger.info({ projection: p.name, from: rows[0].version, to: p.version }, 'projection version changed: rebuilding');
      await this.truncate(p);
      lane.lastSeq = 0;
      await this.resetConsumer(p, 1);
    } else {
      lane.lastSeq = Number(rows[0].last_seq);
      // A new leader cannot trust deliveries a previous leader left unacknowledged
      // (they would come back only after ack_wait): start again from the checkpoint.
      await this.resetConsumer(p, lane.lastSeq + 1);
    }
  }

  private async truncate(p: Projection): Promise<void> {
    await this.opts.db.transaction(async (em) => {
      await em.query(`TRUNCATE ${this.table(p)}`);
      await em.query(`UPDATE "${this.schema}".projection_checkpoints SET version = $2, last_seq = 0, updated_at = now() WHERE name = $1`, [p.name, p.version]);
    });
  }

  private async resetConsumer(p: Projection, fromSeq: number): Promise<void> {
    const { jsm, names } = this.opts.broker;
    await jsm.consumers.delete(names.streams.events, this.consumerName(p)).catch(() => undefined);
    await jsm.consumers.add(names.streams.events, {
      durable_name: this.consumerName(p),
      filter_subject: names.evtAll,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromSeq),
      ack_wait: 60_000_000_000,
      max_ack_pending: 20_000,
    });
  }

  private phase(lane: Lane, phase: LanePhase): void {
    lane.phase = phase;
    lane.phaseAt = Date.now();
  }

  private run(lane: Lane): void {
    lane.running = true;
    this.phase(lane, 'starting');
    lane.loop = (async () => {
      let failed = false;
      while (lane.running && !this.stopping) {
        try {
          // After a failure (database or broker down, a consumer lost with its node) the batch in
          // hand was never acknowledged: start again from the checkpoint rather than wait ack_wait.
          if (failed) {
            this.phase(lane, 'resetting');
            await this.resetConsumer(lane.projection, lane.lastSeq + 1);
          }
          failed = false;
          const consumer = await this.opts.broker.js.consumers.get(this.opts.broker.names.streams.events, this.consumerName(lane.projection));
          await this.consume(lane, consumer);
        } catch (e) {
          if (!lane.running || this.stopping) break;
          failed = true;
          lane.failures++;
          lane.lastError = (e instanceof Error ? e.message : String(e)).slice(0, 500);
          this.phase(lane, 'retrying');
          this.opts.logger.warn({ err: e, projection: lane.projection.name, failures: lane.failures }, 'projection loop failed; retrying');
          await sleep(1_000);
        }
      }
      this.phase(lane, 'stopped');
    })();
  }

  private async consume(lane: Lane, consumer: Consumer): Promise<void> {
    try {
      await this.consumeBatches(lane, consumer);
    } catch (e) {
      if (!(e instanceof CheckpointGap)) throw e;
    }
  }

  /**
   * Applies as soon as the consumer has nothing more pending, the batch is full, or the batch
   * has waited LINGER_MS: a lone event reaches the read model at once, a backlog goes in large
   * batches, and the client keeps prefetching while a batch is written. The linger bound matters:
   * `pending` is the server's estimate, and on a consumer re-created at a restart nats-server
   * 2.9 was seen to report more pending than it ever delivered — without the bound the batch in
   * hand was never applied (the read model stalled, found by e2e/reliability/service-crash).
   */
  private async consumeBatches(lane: Lane, consumer: Consumer): Promise<void> {
    const batchSize = this.opts.batchSize ?? 5_000;
    const messages = await consumer.consume({ max_messages: batchSize * 2, ...LIVE_PULL });
    lane.stopFetch = () => void messages.stop();
    this.phase(lane, 'fetching');
    const it = messages[Symbol.asyncIterator]();
    let next: Promise<IteratorResult<JsMsg>> | null = null;
    let linger: Promise<'linger'> | null = null;
    let batch: JsMsg[] = [];
    const flush = async () => {
      linger = null;
      this.phase(lane, 'applying');
      await this.applyBatch(lane, batch);
      lane.failures = 0;
      lane.lastError = null;
      this.phase(lane, 'fetching');
      batch = [];
      lane.buffered = 0;
    };
    try {
      for (;;) {
        next ??= it.next();
        const r = linger ? await Promise.race([next, linger]) : await next;
        if (r === 'linger') {
          await flush();
        } else {
          next = null;
          if (r.done) break;
          const m = r.value;
          batch.push(m);
          lane.buffered = batch.length;
          if (batch.length === 1) linger = sleep(LINGER_MS).then(() => 'linger' as const);
          // More to come: on the server (`pending`) or already in the client's buffer — without the
          // latter, a backlog pulled in one go was applied an event per transaction.
          if (batch.length < batchSize && (m.info.pending > 0 || messages.getPending() > 0)) continue;
          await flush();
        }
        if (!lane.running || this.stopping) break;
      }
    } finally {
      lane.stopFetch = undefined;
      messages.stop();
    }
  }

  /**
   * Moves a checkpoint to `lastSeq` if it stands at `after` or beyond; false if it does not
   * (another leader, a restore). Lanes' moves that are due together go in one UPDATE.
   */
  private moveCheckpoint(name: string, lastSeq: number, after: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.moves.push({ name, lastSeq, after, resolve, reject });
      this.movesFlushing ??= this.flushMoves();
    });
  }

  private async flushMoves(): Promise<void> {
    // The lanes' deliveries of one append arrive together: let those due in this turn join.
    await new Promise((r) => setImmediate(r));
    while (this.moves.length) {
      const moves = this.moves.splice(0);
      try {
        const values = moves.map((_, i) => `($${i * 3 + 1}::text, $${i * 3 + 2}::bigint, $${i * 3 + 3}::bigint)`).join(', ');
        const result = (await this.opts.db.query(
          `UPDATE "${this.schema}".projection_checkpoints AS cp SET last_seq = GREATEST(cp.last_seq, v.last), updated_at = now()
           FROM (VALUES ${values}) AS v(name, last, after) WHERE cp.name = v.name AND cp.last_seq >= v.after RETURNING cp.name`,
          moves.flatMap((m) => [m.name, m.lastSeq, m.after]),
        )) as [{ name: string }[], number] | { name: string }[];
        const moved = new Set(rowsOf(result).map((r) => r.name));
        for (const m of moves) m.resolve(moved.has(m.name));
      } catch (e) {
        for (const m of moves) m.reject(e);
      }
    }
    // In the same turn as the last look at `moves`: a move queued after it starts a new flush.
    this.movesFlushing = undefined;
  }

  private decode(m: JsMsg): RecordedEvent<DomainEvent> {
    const hit = this.decoded.get(m.seq);
    if (hit) return hit;
    const event = this.opts.store.decode(m) as RecordedEvent<DomainEvent>;
    this.decoded.set(m.seq, event);
    if (this.decoded.size > DECODED_KEPT) this.decoded.delete(this.decoded.keys().next().value as number);
    return event;
  }

  private async applyBatch(lane: Lane, batch: JsMsg[]): Promise<void> {
    const started = performance.now();
    const p = lane.projection;
    const fresh = batch.filter((m) => m.seq > lane.lastSeq);
    if (fresh.length && fresh[0].seq !== lane.lastSeq + 1) {
      // Out of order (a redelivery raced a new fetch): start again from the checkpoint.
      this.opts.logger.warn({ projection: p.name, expected: lane.lastSeq + 1, got: fresh[0].seq }, 'gap in projection input; resetting consumer');
      await this.resetConsumer(p, lane.lastSeq + 1);
      throw new CheckpointGap(lane.lastSeq);
    }
    const events: RecordedEvent<DomainEvent>[] = [];
    for (const m of fresh) {
      try {
        events.push(this.decode(m));
      } catch (e) {
        // Undecodable: no projection can use it. Logged, skipped, never blocks the read model.
        this.opts.logger.warn({ projection: p.name, seq: m.seq, err: e }, 'undecodable event skipped');
      }
    }
    const last = batch[batch.length - 1];
    const lastSeq = Math.max(lane.lastSeq, last.seq);
    if (fresh.length && !events.some((e) => p.keysOf(e).length > 0)) {
      // Nothing in the batch for this read model (most events are for some other one): only the
      // checkpoint moves, in one statement shared with the other lanes' moves instead of a
      // transaction of four each. Its condition is the transaction's gap check: the stored
      // checkpoint has reached the event before the batch.
      if (!(await this.moveCheckpoint(p.name, lastSeq, fresh[0].seq - 1))) {
        const [cp] = (await this.opts.db.query(`SELECT last_seq FROM "${this.schema}".projection_checkpoints WHERE name = $1`, [p.name])) as { last_seq: string }[];
        lane.lastSeq = Number(cp.last_seq);
        await this.resetConsumer(p, lane.lastSeq + 1);
        throw new CheckpointGap(lane.lastSeq);
      }
    } else if (fresh.length) {
      await this.opts.db.transaction(async (em) => {
        const [cp] = (await em.query(`SELECT last_seq FROM "${this.schema}".projection_checkpoints WHERE name = $1 FOR UPDATE`, [p.name])) as {
          last_seq: string;
        }[];
        const committed = Number(cp.last_seq);
        const firstNew = fresh.find((m) => m.seq > committed);
        if (firstNew && firstNew.seq !== committed + 1) throw new CheckpointGap(committed);
        await writeProjectionBatch(em, this.opts.db, p, events, committed);
        await em.query(`UPDATE "${this.schema}".projection_checkpoints SET last_seq = GREATEST(last_seq, $2), updated_at = now() WHERE name = $1`, [p.name, lastSeq]);
      }).catch(async (e) => {
        if (!(e instanceof CheckpointGap)) throw e;
        // Another leader (or a restored database) moved the checkpoint: follow the database.
        lane.lastSeq = e.committed;
        await this.resetConsumer(p, e.committed + 1);
        throw e;
      });
    }
    lane.lastSeq = lastSeq;
    last.ack();
    this.opts.onApplied?.(p.name, lastSeq, fresh.length, performance.now() - started, Math.floor(last.info.timestampNanos / 1e6));
  }

  /** Resolves when every projection has applied `seq` (read-your-writes); any replica may ask. */
  async waitFor(seq: number, timeoutMs = 5_000): Promise<void> {
    if (seq <= 0) return;
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      if ([...this.lanes.values()].every((l) => l.leader && l.lastSeq >= seq)) return;
      const [{ min }] = (await this.opts.db.query(`SELECT min(last_seq) AS min FROM "${this.schema}".projection_checkpoints WHERE name = ANY($1)`, [
        [...this.lanes.keys()],
      ])) as { min: string | null }[];
      if (min !== null && Number(min) >= seq) return;
      // A read model that is behind is a temporary condition (503 at the edge), not an internal error.
      if (Date.now() > deadline) throw new QueryError('unavailable', `read model has not reached sequence ${seq} after ${timeoutMs} ms`);
      await sleep(delay);
    }
  }

  /** Checkpoints as stored, for health, metrics and `admin streams`. */
  async checkpoints(): Promise<Record<string, number>> {
    const rows = (await this.opts.db.query(`SELECT name, last_seq FROM "${this.schema}".projection_checkpoints`)) as { name: string; last_seq: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.last_seq)]));
  }

  /** Drops the read model's rows, resets its checkpoint and replays the log from sequence 1. */
  async rebuild(name: string): Promise<void> {
    const lane = this.lanes.get(name);
    if (!lane) throw new Error(`unknown projection "${name}"`);
    if (!lane.leader) throw new Error(`this replica does not lead projection "${name}"; ask the leader`);
    // Two concurrent rebuilds would each restart the loop: two consumers on one lane.
    lane.rebuilding ??= (async () => {
      lane.running = false;
      lane.stopFetch?.();
      await lane.loop;
      await this.truncate(lane.projection);
      lane.lastSeq = 0;
      await this.resetConsumer(lane.projection, 1);
      this.run(lane);
    })().finally(() => (lane.rebuilding = undefined));
    return lane.rebuilding;
  }

  /** What this replica knows of each projection (admin): leadership, its loop's phase, what it holds. */
  status(): { name: string; version: number; leader: boolean; lastSeq: number; phase: LanePhase; phaseMs: number; buffered: number; failures: number; lastError: string | null }[] {
    return [...this.lanes.values()].map((l) => ({
      name: l.projection.name,
      version: l.projection.version,
      leader: l.leader,
      lastSeq: l.lastSeq,
      phase: l.phase,
      phaseMs: Date.now() - l.phaseAt,
      buffered: l.buffered,
      failures: l.failures,
      lastError: l.lastError,
    }));
  }

  isLeader(name: string): boolean {
    return this.lanes.get(name)?.leader ?? false;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.electTimer);
    for (const lane of this.lanes.values()) {
      lane.running = false;
      lane.stopFetch?.();
    }
    await Promise.allSettled([...this.lanes.values()].map((l) => l.loop));
    if (this.lockRunner && !this.lockRunner.isReleased) {
      // Session locks outlive a pooled connection's release: give them back explicitly.
      await this.lockRunner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await this.lockRunner.release();
    }
  }
}

/**
 * Folds `batch` (events after `committed` only) into the projection's rows and writes the
 * changed ones back, inside the caller's transaction: the runner's apply step, also used by
 * admin verify to rebuild a read model into a scratch schema with the very same code.
 */
export async function writeProjectionBatch(em: EntityManager, db: DataSource, p: Projection, batch: RecordedEvent<DomainEvent>[], committed: number): Promise<void> {
  const events = batch.filter((e) => e.position.seq > committed);
  const keys = new Set<string>();
  for (const e of events) for (const k of p.keysOf(e)) keys.add(k);
  if (!keys.size) return;
  const rows = new Map<string, { id: string } | null>();
  const existing = (await em.find(p.entity, { where: { id: In([...keys]) } as never })) as { id: string }[];
  for (const row of existing) rows.set(row.id, row);
  const { touched } = foldAfter(p, rows, committed, events);
  const upserts: { id: string }[] = [];
  const deletes: string[] = [];
  for (const key of touched) {
    const row = rows.get(key);
    if (row) upserts.push(row);
    else deletes.push(key);
  }
  if (upserts.length) await upsertRows(em, db, p, upserts);
  if (deletes.length) await em.delete(p.entity, deletes);
}

/** TypeORM answers an UPDATE … RETURNING on Postgres as `[rows, affected]`. */
function rowsOf<R>(result: [R[], number] | R[]): R[] {
  return Array.isArray(result[0]) ? (result[0] as R[]) : (result as R[]);
}

class CheckpointGap extends Error {
  constructor(readonly committed: number) {
    super(`checkpoint is at ${committed}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Decoded events kept for the other lanes: a few seconds of a busy log. */
const DECODED_KEPT = 10_000;

/** The longest a partial batch waits for more events before it is applied anyway. */
const LINGER_MS = 100;
