import type { Gauge } from 'prom-client';
import type { ServiceMetrics } from './service-metrics';

export interface ProjectionLagSource {
  projections: readonly string[];
  /** Checkpoint of each read model, as stored. */
  checkpoints(): Promise<Record<string, number>>;
  /** Sequence of the last event in the log. */
  lastSeq(): Promise<number>;
  /** When the event at `seq` was appended (epoch ms), null when it cannot be read. */
  appendedAt(seq: number): Promise<number | null>;
}

export interface ProjectionLag {
  events: number;
  seconds: number;
}

/**
 * Lag of each read model behind the log, computed at scrape time: in events (the log's last
 * sequence minus the checkpoint) and in seconds (how long the oldest event not applied yet
 * has been waiting; 0 when caught up).
 */
export async function measureProjectionLag(source: ProjectionLagSource, now = Date.now()): Promise<Record<string, ProjectionLag>> {
  const [checkpoints, lastSeq] = await Promise.all([source.checkpoints(), source.lastSeq()]);
  const out: Record<string, ProjectionLag> = {};
  await Promise.all(
    source.projections.map(async (name) => {
      const checkpoint = checkpoints[name] ?? 0;
      const events = Math.max(0, lastSeq - checkpoint);
      let seconds = 0;
      if (events > 0) {
        const at = await source.appendedAt(checkpoint + 1).catch(() => null);
        seconds = at === null ? 0 : Math.max(0, (now - at) / 1000);
      }
      out[name] = { events, seconds };
    }),
  );
  return out;
}

/** Registers `baton_projection_lag_events` and `baton_projection_lag_seconds`, both fed by one measurement per scrape. */
export function registerProjectionLag(metrics: ServiceMetrics, source: ProjectionLagSource, onError?: (e: unknown) => void): void {
  let pending: Promise<Record<string, ProjectionLag> | null> | null = null;
  const measure = () =>
    (pending ??= measureProjectionLag(source)
      .catch((e) => {
        onError?.(e);
        return null;
      })
      .finally(() => setTimeout(() => (pending = null), 250).unref()));
  const fill = (pick: (lag: ProjectionLag) => number) => async (gauge: Gauge<'projection'>) => {
    const lag = await measure();
    if (!lag) return; // keep the last values rather than fail the scrape
    for (const [projection, value] of Object.entries(lag)) gauge.set({ projection }, pick(value));
  };
  metrics.gauge({ name: 'projection_lag_events', help: 'Events in the log a read model has not applied yet', labelNames: ['projection'], collect: fill((l) => l.events) });
  metrics.gauge({
    name: 'projection_lag_seconds',
    help: 'How long the oldest event a read model has not applied yet has been in the log (0 when caught up)',
    labelNames: ['projection'],
    collect: fill((l) => l.seconds),
  });
}
