import type { DataSource } from 'typeorm';
import { SESSION_STATUSES, type ServiceName } from '@baton/events';
import type { Logger } from '@baton/event-store';
import type { ServiceMetrics } from './service-metrics';

/** A gauge refreshed from a service's own read model every few seconds (not at scrape time: scrapes stay cheap). */
export interface ReadModelGauge {
  name: string;
  help: string;
  label: string;
  /** Every value the label can take: those absent from a refresh are set to 0. */
  values: readonly string[];
  /** `schema` is the service's own Postgres schema. */
  query(db: DataSource, schema: string): Promise<Record<string, number>>;
}

/** Sessions by status, from the sessions service's `sessions` read model. */
export const sessionsByStatus: ReadModelGauge = {
  name: 'sessions',
  help: 'Sessions by status, from the sessions read model',
  label: 'status',
  values: SESSION_STATUSES,
  async query(db, schema) {
    const rows = (await db.query(`SELECT status, count(*)::int AS n FROM "${schema}".sessions GROUP BY status`)) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};

/**
 * The read-model gauges each service exposes. Kept here until the services declare them
 * in their own definitions.
 */
export const READ_MODEL_GAUGES: Partial<Record<ServiceName, ReadModelGauge[]>> = {
  sessions: [sessionsByStatus],
};

export class ReadModelGauges {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly gauges: { spec: ReadModelGauge; set(values: Record<string, number>): void }[];

  constructor(
    metrics: ServiceMetrics,
    specs: readonly ReadModelGauge[],
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly everyMs = 5_000,
  ) {
    this.gauges = specs.map((spec) => {
      const gauge = metrics.gauge<string>({ name: spec.name, help: spec.help, labelNames: [spec.label] });
      return {
        spec,
        set: (values) => {
          for (const v of new Set([...spec.values, ...Object.keys(values)])) gauge.set({ [spec.label]: v }, values[v] ?? 0);
        },
      };
    });
  }

  get size(): number {
    return this.gauges.length;
  }

  async refresh(): Promise<void> {
    const schema = (this.db.options as { schema?: string }).schema ?? 'public';
    for (const g of this.gauges) {
      try {
        g.set(await g.spec.query(this.db, schema));
      } catch (e) {
        this.logger.debug({ err: e, gauge: g.spec.name }, 'read-model gauge not refreshed');
      }
    }
  }

  async start(): Promise<void> {
    if (!this.gauges.length) return;
    this.stopped = false;
    await this.refresh();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.refresh().finally(tick);
      }, this.everyMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
