import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import { Broker, type BrokerOptions } from '@baton/event-store';

/*
 * The runner's heartbeat on a thread of its own, with its own NATS connection (heartbeat.ts):
 * the main thread's event loop may be held up by a burst of starts, terminal output or git, and
 * the agents may saturate every core, but this thread wakes on its own timer, at a higher
 * priority where the system lets it (Linux: setpriority on the calling thread), and puts the
 * latest snapshot the main thread posted. A main thread silent for `staleMs` is wedged, not
 * slow: the beats stop, so the fleet sees it gone.
 */

export interface HeartbeatWorkerData {
  connect: BrokerOptions;
  runnerId: string;
  intervalMs: number;
  staleMs: number;
  /** Nice value for this thread (negative: above the agents' and the main thread's). */
  nice: number;
}

export type ToWorker = { type: 'snapshot'; heartbeat: Omit<RunnerHeartbeat, 'at'> } | { type: 'stop'; remove: boolean };
export type FromWorker = { type: 'ready'; nice: number | null } | { type: 'failed'; message: string } | { type: 'restored' } | { type: 'stale'; silentMs: number } | { type: 'stopped' };

async function run(): Promise<void> {
  const port = parentPort!;
  const data = workerData as HeartbeatWorkerData;
  let nice: number | null = null;
  try {
    setPriority(data.nice);
    nice = data.nice;
  } catch {
    // Not allowed (no CAP_SYS_NICE): the agents' own nice value still puts them below this thread.
  }
  const broker = await Broker.connect(data.connect);
  const kv = await broker.kv(broker.names.kv.runners);
  let latest: { heartbeat: Omit<RunnerHeartbeat, 'at'>; atMs: number } | null = null;
  let failing = false;
  let stale = false;
  let timer: NodeJS.Timeout | null = null;
  const beat = async () => {
    if (!latest) return;
    const silentMs = Date.now() - latest.atMs;
    if (silentMs > data.staleMs) {
      if (!stale) port.postMessage({ type: 'stale', silentMs } satisfies FromWorker);
      stale = true;
      return;
    }
    stale = false;
    try {
      await kv.put(data.runnerId, JSON.stringify(RunnerHeartbeatSchema.parse({ ...latest.heartbeat, at: new Date().toISOString() })));
      if (failing) port.postMessage({ type: 'restored' } satisfies FromWorker);
      failing = false;
    } catch (err) {
      if (!failing) port.postMessage({ type: 'failed', message: (err as Error).message } satisfies FromWorker);
      failing = true;
    }
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'snapshot') {
      const first = latest === null;
      latest = { heartbeat: m.heartbeat, atMs: Date.now() };
      if (first) void beat();
      return;
    }
    if (timer) clearInterval(timer);
    timer = null;
    void (async () => {
      if (m.remove) await kv.delete(data.runnerId).catch(() => undefined);
      await broker.close().catch(() => undefined);
      port.postMessage({ type: 'stopped' } satisfies FromWorker);
    })();
  });
  timer = setInterval(() => void beat(), data.intervalMs);
  port.postMessage({ type: 'ready', nice } satisfies FromWorker);
}

run().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: `heartbeat thread could not start: ${(err as Error).message}` } satisfies FromWorker);
  process.exit(1);
});
