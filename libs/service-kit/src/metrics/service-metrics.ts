import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandReply } from '@baton/events';
import type { CommandStageObserver, EventStoreObserver } from '@baton/event-store';

const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_HTTP = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface GaugeSpec<L extends string> {
  /** Without the `baton_` prefix, which is added. */
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Runs at each scrape to set the gauge's values. */
  collect?: (gauge: Gauge<L>) => void | Promise<void>;
}

export interface CounterSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * One process's Prometheus registry: process metrics (default collectors) and the
 * families every Baton service shares, each named `baton_*` and labelled with the
 * service. Families a process does not use (commands in the gateway) are only
 * registered when first asked for.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private commandFamilies?: { total: Counter<'type' | 'outcome' | 'code'>; duration: Histogram<'type' | 'outcome'> };
  private appendFamily?: Histogram<'aggregate' | 'outcome'>;
  private stageFamily?: Histogram<'stage'>;
  private projectionFamilies?: {
    applied: Counter<'projection'>;
    batch: Histogram<'projection'>;
    lastApplied: Gauge<'projection'>;
  };

  constructor(
    readonly service: string,
    opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {},
  ) {
    this.registry.setDefaultLabels({ service, ...opts.labels });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'baton_' });
    this.httpDuration = new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'HTTP requests by method, route (the matched pattern) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_HTTP,
      registers: [this.registry],
    });
  }

  gauge<L extends string = never>(spec: GaugeSpec<L>): Gauge<L> {
    const collect = spec.collect;
    return new Gauge<L>({
      name: `baton_${spec.name}`,
      help: spec.help,
      labelNames: (spec.labelNames ?? []) as L[],
      registers: [this.registry],
      ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
    });
  }

  counter<L extends string = never>(spec: CounterSpec<L>): Counter<L> {
    return new Counter<L>({ name: `baton_${spec.name}`, help: spec.help, labelNames: (spec.labelNames ?? []) as L[], registers: [this.registry] });
  }

  /** For `CommandProcessor`'s `onOutcome`: counts outcomes by type and code, and times them. */
  commandObserver(): (reply: CommandReply, ms: number, command?: { type: string }) => void {
    this.commandFamilies ??= {
      total: new Counter({
        name: 'baton_commands_total',
        help: 'Commands handled, by type, outcome (accepted | rejected) and rejection code (none when accepted)',
        labelNames: ['type', 'outcome', 'code'],
        registers: [this.registry],
      }),
      duration: new Histogram({
        name: 'baton_command_duration_seconds',
        help: 'Time from receiving a command to its reply: load, decide, append, record',
        labelNames: ['type', 'outcome'],
        buckets: SECONDS_FAST,
        registers: [this.registry],
      }),
    };
    const { total, duration } = this.commandFamilies;
    return (reply, ms, command) => {
      const type = command?.type ?? '(undecodable)';
      const outcome = reply.status;
      total.inc({ type, outcome, code: reply.status === 'rejected' ? reply.code : 'none' });
      duration.observe({ type, outcome }, ms / 1000);
    };
  }

  /**
   * For `CommandBus` and `CommandProcessor`'s `onStage`: where a command's time goes, one
   * histogram per stage (command-stages.ts), so the breakdown is one scrape away.
   */
  commandStageObserver(): CommandStageObserver {
    this.stageFamily ??= new Histogram({
      name: 'baton_command_stage_seconds',
      help: 'Time a command spends in each stage: publish and wait (gateway); delivery, check, load, decide, append, reply, record, total (processor)',
      labelNames: ['stage'],
      buckets: SECONDS_FAST,
      registers: [this.registry],
    });
    const family = this.stageFamily;
    return (stage, ms) => family.observe({ stage }, ms / 1000);
  }

  /** For `EventStore`: append latency by aggregate type and outcome (ok | conflict | error). */
  appendObserver(): EventStoreObserver {
    this.appendFamily ??= new Histogram({
      name: 'baton_event_append_duration_seconds',
      help: 'Time to append one decision’s events to the log, by aggregate type and outcome',
      labelNames: ['aggregate', 'outcome'],
      buckets: SECONDS_FAST,
      registers: [this.registry],
    });
    const family = this.appendFamily;
    return { onAppend: (aggregate, _count, ms, outcome) => family.observe({ aggregate: aggregate.type, outcome }, ms / 1000) };
  }

  /** For `ProjectionRunner`'s `onApplied`. */
  projectionObserver(): (projection: string, lastSeq: number, count: number, ms: number, lastAppendedAt: number) => void {
    this.projectionFamilies ??= {
      applied: new Counter({ name: 'baton_projection_events_applied_total', help: 'Events applied to a read model', labelNames: ['projection'], registers: [this.registry] }),
      batch: new Histogram({
        name: 'baton_projection_batch_duration_seconds',
        help: 'Time to apply one batch and its checkpoint in one transaction',
        labelNames: ['projection'],
        buckets: SECONDS_FAST,
        registers: [this.registry],
      }),
      lastApplied: new Gauge({
        name: 'baton_projection_last_applied_event_timestamp_seconds',
        help: 'When the last event a read model applied was appended to the log (age: time() minus this)',
        labelNames: ['projection'],
        registers: [this.registry],
      }),
    };
    const { applied, batch, lastApplied } = this.projectionFamilies;
    return (projection, _lastSeq, count, ms, lastAppendedAt) => {
      if (count > 0) applied.inc({ projection }, count);
      batch.observe({ projection }, ms / 1000);
      if (Number.isFinite(lastAppendedAt) && lastAppendedAt > 0) lastApplied.set({ projection }, lastAppendedAt / 1000);
    };
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
