import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

/**
 * The runners' heartbeats as the KV bucket `<ns>_runners` holds them now (liveness is read
 * from here, never from events). Reads are shared for `maxAgeMs` so loops ticking at once
 * do not each list the bucket.
 */
export class HeartbeatReader {
  private cached?: { at: number; value: Promise<RunnerHeartbeat[]> };

  constructor(
    private readonly broker: Broker,
    private readonly logger: Logger,
    private readonly maxAgeMs = 200,
  ) {}

  read(): Promise<RunnerHeartbeat[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.maxAgeMs) return this.cached.value;
    const value = this.load();
    this.cached = { at: now, value };
    value.catch(() => (this.cached = undefined));
    return value;
  }

  private async load(): Promise<RunnerHeartbeat[]> {
    const kv = await this.broker.kv(this.broker.names.kv.runners);
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    const entries = await Promise.all(keys.map((k) => kv.get(k)));
    const out: RunnerHeartbeat[] = [];
    for (const e of entries) {
      if (!e || e.operation !== 'PUT') continue;
      let raw: unknown;
      try {
        raw = e.json();
      } catch {
        raw = null;
      }
      const hb = RunnerHeartbeatSchema.safeParse(raw);
      if (hb.success && hb.data.runnerId === e.key) out.push(hb.data);
      else this.logger.warn({ key: e.key }, 'ignoring a malformed runner heartbeat');
    }
    return out;
  }
}
