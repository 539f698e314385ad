import type { KV } from '@nats-io/kv';
import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

/**
 * Puts the runner's heartbeat into KV `<ns>_runners` (key = runner id) every few seconds;
 * the bucket's TTL makes a silent runner disappear, which is how its sessions become lost.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private kv: KV | null = null;
  private failing = false;

  constructor(
    private readonly broker: Broker,
    private readonly runnerId: string,
    private readonly snapshot: () => RunnerHeartbeat,
    private readonly logger: Logger,
    private readonly intervalMs = 3_000,
  ) {}

  async start(): Promise<void> {
    this.kv = await this.broker.kv(this.broker.names.kv.runners);
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  async beat(): Promise<void> {
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
    if (remove) await this.kv?.delete(this.runnerId).catch(() => undefined);
  }
}
