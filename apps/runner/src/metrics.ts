import type { JetStreamClient } from '@nats-io/jetstream';
import { runnerOfTerminalSubject } from '@baton/events';
import type { Broker } from '@baton/event-store';
import type { ServiceMetrics } from '@baton/service-kit';

export interface RunnerGaugeSource {
  capacity: number;
  /** Sessions hosted now (preparing or running): what counts against capacity. */
  readonly size: number;
  readonly isDraining: boolean;
}

/** `baton_runner_capacity`, `baton_runner_sessions` and `baton_runner_draining`, read at scrape time. */
export function registerRunnerGauges(metrics: ServiceMetrics, host: RunnerGaugeSource): void {
  metrics.gauge({ name: 'runner_capacity', help: 'Sessions this runner may host at once', collect: (g) => g.set(host.capacity) });
  metrics.gauge({ name: 'runner_sessions', help: 'Sessions this runner hosts now (used capacity)', collect: (g) => g.set(host.size) });
  metrics.gauge({ name: 'runner_draining', help: '1 while the runner refuses new sessions because it is stopping', collect: (g) => g.set(host.isDraining ? 1 : 0) });
}

/**
 * The broker the session host uses, with its JetStream publishes on terminal subjects
 * counted: `baton_terminal_bytes_published_total` and `baton_terminal_chunks_published_total`
 * (stored chunks only; a retried chunk the stream already had is not counted twice).
 */
export function countTerminalOutput(broker: Broker, metrics: ServiceMetrics): Broker {
  const bytes = metrics.counter({ name: 'terminal_bytes_published_total', help: 'Terminal output bytes this runner stored in the terminal stream' });
  const chunks = metrics.counter({ name: 'terminal_chunks_published_total', help: 'Terminal output chunks this runner stored in the terminal stream' });
  const isTerminal = (subject: string) => runnerOfTerminalSubject(subject) !== null && subject.startsWith(`${broker.names.namespace}.term.`);
  const publish: JetStreamClient['publish'] = async (subject, payload, opts) => {
    const ack = await broker.js.publish(subject, payload, opts);
    if (isTerminal(subject) && !ack.duplicate) {
      chunks.inc();
      bytes.inc(typeof payload === 'string' ? Buffer.byteLength(payload) : (payload?.byteLength ?? 0));
    }
    return ack;
  };
  const js = new Proxy(broker.js, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(broker, {
    get(target, prop) {
      if (prop === 'js') return js;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
