import { randomBytes } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { DomainEvent, RecordedEvent } from '@baton/events';
import type { Broker, EventStore, Logger } from '@baton/event-store';
import { openDatabase, ProjectionCheckpoints1700000000000, writeProjectionBatch, type Projection } from '@baton/projections';
import type { ReadModelComparison } from './admin-types';
import { diffSortedRows, type ComparableRow } from './row-diff';

export interface VerifyOptions {
  db: DataSource;
  broker: Broker;
  store: EventStore;
  projections: Projection[];
  migrations: (new () => MigrationInterface)[];
  logger: Logger;
  sampleSize: number;
  /** Only these read models (default: all). */
  names?: string[];
  batchSize?: number;
}

export interface VerifyResult {
  eventsRead: number;
  undecodable: number;
  readModels: ReadModelComparison[];
}

const PAGE = 2_000;

/**
 * Rebuilds every read model from the log into a scratch schema with the service's own
 * migrations and the runner's own write path, then compares it row by row with the live one.
 *
 * The live side is read in ONE repeatable-read transaction: its rows and checkpoints are a
 * consistent snapshot (the runner commits rows with their checkpoint), and each scratch copy
 * is folded up to exactly that checkpoint — so a service under load verifies without noise.
 * The scratch schema is dropped at the end, whatever happens.
 */
export async function verifyReadModels(o: VerifyOptions): Promise<VerifyResult> {
  const schema = (o.db.options as { schema: string }).schema;
  const url = (o.db.options as { url?: string }).url;
  if (!url) throw new Error('verify needs the DataSource to be opened from a URL');
  const projections = o.names ? o.projections.filter((p) => o.names!.includes(p.name)) : o.projections;

  const live = o.db.createQueryRunner();
  await live.connect();
  try {
    await live.startTransaction('REPEATABLE READ');
    const stored = (await live.query(`SELECT name, version, last_seq FROM "${schema}".projection_checkpoints`)) as { name: string; version: number; last_seq: string }[];
    const checkpoint = new Map(stored.map((r) => [r.name, Number(r.last_seq)]));
    const storedVersion = new Map(stored.map((r) => [r.name, r.version]));

    const scratchSchema = `${schema}_verify_${randomBytes(3).toString('hex')}`.slice(0, 63);
    const scratch = await openDatabase({
      url,
      schema: scratchSchema,
      entities: o.projections.map((p) => p.entity),
      migrations: [ProjectionCheckpoints1700000000000, ...o.migrations],
      poolSize: 2,
      applicationName: 'baton-admin-verify',
    });
    try {
      const folded = await fold(o, scratch, projections, checkpoint);
      const readModels: ReadModelComparison[] = [];
      for (const p of projections) {
        const id = o.db.getMetadata(p.entity).primaryColumns[0]?.databaseName ?? 'id';
        const liveTable = `"${schema}"."${o.db.getMetadata(p.entity).tableName}"`;
        const scratchTable = `"${scratchSchema}"."${scratch.getMetadata(p.entity).tableName}"`;
        const diff = await diffSortedRows(pages(live, liveTable, id), pages(scratch, scratchTable, id), o.sampleSize);
        readModels.push({
          name: p.name,
          checkpoint: checkpoint.get(p.name) ?? 0,
          storedVersion: storedVersion.get(p.name) ?? null,
          liveRows: diff.left,
          rebuiltRows: diff.right,
          onlyLive: diff.onlyLeft,
          onlyRebuilt: diff.onlyRight,
          different: diff.different,
          sample: diff.sample,
        });
      }
      return { ...folded, readModels };
    } finally {
      await scratch.query(`DROP SCHEMA IF EXISTS "${scratchSchema}" CASCADE`).catch((e) => o.logger.error({ err: e, schema: scratchSchema }, 'could not drop the verify scratch schema'));
      await scratch.destroy().catch(() => undefined);
    }
  } finally {
    await live.rollbackTransaction().catch(() => undefined);
    await live.release();
  }
}

/** Reads the log once, up to the highest checkpoint, folding each projection up to its own. */
async function fold(o: VerifyOptions, scratch: DataSource, projections: Projection[], checkpoint: Map<string, number>): Promise<{ eventsRead: number; undecodable: number }> {
  const target = new Map(projections.map((p) => [p.name, checkpoint.get(p.name) ?? 0]));
  const applied = new Map(projections.map((p) => [p.name, 0]));
  const maxSeq = Math.max(0, ...target.values());
  let buffer: RecordedEvent<DomainEvent>[] = [];
  let eventsRead = 0;
  let undecodable = 0;
  const flush = async () => {
    if (!buffer.length) return;
    const batch = buffer;
    buffer = [];
    await scratch.transaction(async (em) => {
      for (const p of projections) {
        const upTo = target.get(p.name)!;
        const events = batch.filter((e) => e.position.seq <= upTo);
        if (!events.length) continue;
        await writeProjectionBatch(em, scratch, p, events, applied.get(p.name)!);
        applied.set(p.name, events[events.length - 1].position.seq);
      }
    });
  };
  if (maxSeq > 0) {
    for await (const m of o.store.rawRead({ fromSeq: 1, toSeq: maxSeq, subject: o.broker.names.evtAll, batch: 1_000 })) {
      if (m.seq > maxSeq) break;
      eventsRead++;
      try {
        buffer.push(o.store.decode(m) as RecordedEvent<DomainEvent>);
      } catch {
        undecodable++; // the runner skips these too
      }
      if (buffer.length >= (o.batchSize ?? 5_000)) await flush();
    }
  }
  await flush();
  return { eventsRead, undecodable };
}

/** Every row of `table` as canonical JSON, in id byte order, a page at a time. */
async function* pages(source: DataSource | QueryRunner, table: string, id: string): AsyncGenerator<ComparableRow> {
  let after: string | null = null;
  for (;;) {
    const where = after === null ? '' : `WHERE (t."${id}"::text) COLLATE "C" > $1`;
    const rows = (await source.query(`SELECT t."${id}"::text AS id, to_jsonb(t)::text AS json FROM ${table} t ${where} ORDER BY (t."${id}"::text) COLLATE "C" LIMIT ${PAGE}`, after === null ? [] : [after])) as ComparableRow[];
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}
