import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { KV } from '@nats-io/kv';
import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import type { Broker, BrokerOptions, Logger } from '@baton/event-store';
import type { FromWorker, HeartbeatWorkerData, ToWorker } from './heartbeat-worker';

export interface HeartbeatThread {
  /** How the worker connects (the runner's own NATS options: same credentials, same inbox prefix). */
  connect: BrokerOptions;
  /** Nice value the heartbeat thread asks for (it keeps its own when not allowed). */
  nice: number;
  /** A main thread that posted nothing for this long is wedged: the beats stop. */
  staleMs?: number;
}

/**
 * Puts the runner's heartbeat into KV `<ns>_runners` (key = runner id) every few seconds;
 * the bucket's TTL makes a silent runner disappear, which is how its sessions become lost.
 * With `thread`, the beats come from a worker thread with its own connection, so a busy main
 * thread or a saturated machine does not starve them (docs/decisions/0026); the main thread only
 * posts what the beat says. Without it (or when the thread cannot start), beats are put inline.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private kv: KV | null = null;
  private failing = false;
  private worker: Worker | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly runnerId: string,
    private readonly snapshot: () => RunnerHeartbeat,
    private readonly logger: Logger,
    private readonly intervalMs = 3_000,
    private readonly thread: HeartbeatThread | null = null,
  ) {}

  async start(): Promise<void> {
    if (this.thread && (await this.startThread(this.thread))) return;
    this.kv = await this.broker.kv(this.broker.names.kv.runners);
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  async beat(): Promise<void> {
    if (this.worker) return this.post();
    if (!this.kv) return;
    try {
      await this.kv.put(this.runnerId, JSON.stringify(RunnerHeartbeatSchema.parse(this.snapshot())));
      if (this.failing) this.logger.info({}, 'heartbeat restored');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err }, 'heartbeat failed');
      this.failing = true;
    }
  }

  /** Stops beating; `remove` also deletes the key, so the runner reads as gone at once. */
  async stop(remove: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m: FromWorker) => m.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
        setTimeout(resolve, 5_000).unref();
      });
      worker.postMessage({ type: 'stop', remove } satisfies ToWorker);
      await stopped;
      await worker.terminate().catch(() => undefined);
      return;
    }
    if (remove) await this.kv?.delete(this.runnerId).catch(() => undefined);
  }

  private post(): void {
    const { at: _at, ...heartbeat } = this.snapshot();
    this.worker?.postMessage({ type: 'snapshot', heartbeat } satisfies ToWorker);
  }

  private async startThread(thread: HeartbeatThread): Promise<boolean> {
    const file = join(__dirname, 'heartbeat-worker.js');
    const data: HeartbeatWorkerData = { connect: thread.connect, runnerId: this.runnerId, intervalMs: this.intervalMs, nice: thread.nice, staleMs: thread.staleMs ?? Math.max(60_000, 10 * this.intervalMs) };
    let worker: Worker;
    try {
      worker = new Worker(file, { workerData: data });
    } catch (err) {
      this.logger.warn({ err, file }, 'heartbeat thread unavailable: beating from the main thread');
      return false;
    }
    const ready = await new Promise<FromWorker | null>((resolve) => {
      worker.once('message', (m: FromWorker) => resolve(m));
      worker.once('error', (err) => (this.logger.warn({ err }, 'heartbeat thread failed'), resolve(null)));
      worker.once('exit', () => resolve(null));
    });
    if (ready?.type !== 'ready') {
      if (ready?.type === 'failed') this.logger.warn({ reason: ready.message }, 'heartbeat thread failed: beating from the main thread');
      await worker.terminate().catch(() => undefined);
      return false;
    }
    this.logger.info({ nice: ready.nice }, ready.nice === null ? 'heartbeat on its own thread (at the default priority: raising it is not allowed here)' : 'heartbeat on its own thread');
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'failed') this.logger.warn({ reason: m.message }, 'heartbeat failed');
      else if (m.type === 'restored') this.logger.info({}, 'heartbeat restored');
      else if (m.type === 'stale') this.logger.error({ silentMs: m.silentMs }, 'main thread wedged: heartbeats stopped');
    });
    worker.on('error', (err) => this.logger.error({ err }, 'heartbeat thread crashed'));
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      // The thread died on its own: beat from the main thread rather than not at all.
      this.worker = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      void this.broker.kv(this.broker.names.kv.runners).then((kv) => {
        this.kv = kv;
        this.timer = setInterval(() => void this.beat(), this.intervalMs);
      });
    });
    worker.unref();
    this.worker = worker;
    this.post();
    this.timer = setInterval(() => this.post(), this.intervalMs);
    return true;
  }
}
