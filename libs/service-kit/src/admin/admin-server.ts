import type { DataSource, MigrationInterface } from 'typeorm';
import { z } from 'zod';
import { defineQuery, QueryError, type Broker, type EventStore, type Logger, type QueryHandler } from '@baton/event-store';
import type { Projection, ProjectionRunner } from '@baton/projections';
import type { CheckpointsAnswer, RebuildAnswer, VerifyAnswer } from './admin-types';
import { LeaderRelay } from './leader-relay';
import { verifyReadModels } from './verify-read-models';

export interface AdminServerOptions {
  service: string;
  broker: Broker;
  store: EventStore;
  db: DataSource;
  runner: ProjectionRunner;
  projections: Projection[];
  migrations: (new () => MigrationInterface)[];
  logger: Logger;
}

const ReadModelName = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'a read model name');

export const AdminRebuildParams = z.strictObject({
  name: ReadModelName,
  /** How long to wait for the replay to catch up before answering `rebuilding`. */
  waitMs: z.number().int().min(0).max(300_000).default(20_000),
});
export const AdminVerifyParams = z.strictObject({
  sampleSize: z.number().int().min(0).max(100).default(10),
  names: z.array(ReadModelName).max(50).optional(),
});
export const AdminCheckpointsParams = z.strictObject({ name: ReadModelName.optional() });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Operations on a domain service's read models, served as queries by its query server:
 * checkpoints against the log, a rebuild on the projection's leader (forwarded there by
 * whichever replica was asked), and verify (rebuild into a scratch schema and compare).
 */
export class AdminServer {
  readonly relay: LeaderRelay;

  constructor(private readonly o: AdminServerOptions) {
    this.relay = new LeaderRelay({
      broker: o.broker,
      service: o.service,
      leads: (name) => o.runner.isLeader(name),
      run: (op, params) => {
        if (op !== 'rebuild') throw new QueryError('validation', `unknown admin operation ${op}`);
        const p = AdminRebuildParams.parse(params);
        if (!o.runner.isLeader(p.name)) throw new QueryError('unavailable', `this replica no longer leads "${p.name}"; try again`);
        return this.rebuildHere(p);
      },
      logger: o.logger,
    });
  }

  queries(): Record<string, QueryHandler> {
    return {
      admin_checkpoints: defineQuery(AdminCheckpointsParams, (p) => this.checkpoints(p.name)),
      admin_rebuild: defineQuery(AdminRebuildParams, (p) => this.rebuild(p)),
      admin_verify: defineQuery(AdminVerifyParams, (p) => this.verify(p)),
    };
  }

  start(): void {
    this.relay.start();
  }

  stop(): void {
    this.relay.stop();
  }

  private get schema(): string {
    return (this.o.db.options as { schema: string }).schema;
  }

  private projection(name: string): Projection {
    const p = this.o.projections.find((x) => x.name === name);
    if (!p) throw new QueryError('not_found', `${this.o.service} has no read model "${name}"; it has ${this.o.projections.map((x) => x.name).join(', ')}`, { readModels: this.o.projections.map((x) => x.name) });
    return p;
  }

  private table(p: Projection): string {
    return `"${this.schema}"."${this.o.db.getMetadata(p.entity).tableName}"`;
  }

  private async rows(p: Projection): Promise<number> {
    const [{ n }] = (await this.o.db.query(`SELECT count(*)::int AS n FROM ${this.table(p)}`)) as { n: number }[];
    return n;
  }

  async checkpoints(name?: string): Promise<CheckpointsAnswer> {
    const projections = name ? [this.projection(name)] : this.o.projections;
    const [stored, lastSeq] = await Promise.all([
      this.o.db.query(`SELECT name, version, last_seq, updated_at FROM "${this.schema}".projection_checkpoints`) as Promise<{ name: string; version: number; last_seq: string; updated_at: Date }[]>,
      this.o.store.lastSeq(),
    ]);
    const byName = new Map(stored.map((r) => [r.name, r]));
    const lanes = new Map(this.o.runner.status().map((l) => [l.name, l]));
    const readModels = await Promise.all(
      projections.map(async (p) => {
        const row = byName.get(p.name);
        const checkpoint = row ? Number(row.last_seq) : 0;
        return {
          name: p.name,
          version: p.version,
          storedVersion: row ? row.version : null,
          checkpoint,
          lag: Math.max(0, lastSeq - checkpoint),
          rows: await this.rows(p),
          updatedAt: row ? new Date(row.updated_at).toISOString() : null,
          replica: (({ leader, lastSeq: memorySeq, phase, phaseMs, buffered, failures, lastError }) => ({ leader, memorySeq, phase, phaseMs, buffered, failures, lastError }))(lanes.get(p.name)!),
        };
      }),
    );
    return { service: this.o.service, lastSeq, readModels, answeredBy: this.relay.instanceId };
  }

  async rebuild(p: z.output<typeof AdminRebuildParams>): Promise<RebuildAnswer> {
    this.projection(p.name);
    if (this.o.runner.isLeader(p.name)) return this.rebuildHere(p);
    return (await this.relay.forward('rebuild', p.name, p, p.waitMs + 10_000)) as RebuildAnswer;
  }

  /** Drop rows, reset the checkpoint, replay from sequence 1; wait for it to reach the log's end as of now. */
  private async rebuildHere(p: z.output<typeof AdminRebuildParams>): Promise<RebuildAnswer> {
    const projection = this.projection(p.name);
    const started = performance.now();
    const targetSeq = await this.o.store.lastSeq();
    this.o.logger.info({ projection: p.name, targetSeq }, 'admin: rebuilding read model');
    await this.o.runner.rebuild(p.name);
    const deadline = Date.now() + p.waitMs;
    let checkpoint = 0;
    for (;;) {
      checkpoint = (await this.o.runner.checkpoints())[p.name] ?? 0;
      if (checkpoint >= targetSeq || Date.now() >= deadline) break;
      await sleep(50);
    }
    const status = checkpoint >= targetSeq ? 'caught_up' : 'rebuilding';
    const ms = Math.round(performance.now() - started);
    this.o.logger.info({ projection: p.name, status, checkpoint, targetSeq, ms }, 'admin: rebuild answered');
    return { service: this.o.service, name: p.name, status, targetSeq, checkpoint, rows: await this.rows(projection), ms, answeredBy: this.relay.instanceId };
  }

  async verify(p: z.output<typeof AdminVerifyParams>): Promise<VerifyAnswer> {
    for (const name of p.names ?? []) this.projection(name);
    const started = performance.now();
    const result = await verifyReadModels({
      db: this.o.db,
      broker: this.o.broker,
      store: this.o.store,
      projections: this.o.projections,
      migrations: this.o.migrations,
      logger: this.o.logger,
      sampleSize: p.sampleSize,
      names: p.names,
    });
    const ok = result.readModels.every((m) => m.onlyLive === 0 && m.onlyRebuilt === 0 && m.different === 0);
    const ms = Math.round(performance.now() - started);
    if (ok) this.o.logger.info({ ms, eventsRead: result.eventsRead }, 'admin: verify found no difference');
    else this.o.logger.warn({ ms, readModels: result.readModels.filter((m) => m.onlyLive || m.onlyRebuilt || m.different) }, 'admin: verify found differences');
    return { service: this.o.service, ok, ms, ...result, answeredBy: this.relay.instanceId };
  }
}
