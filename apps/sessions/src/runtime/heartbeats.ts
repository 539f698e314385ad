import { RunnerHeartbeatSchema, type RunnerHeartbeat } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

/**
 * The runners' heartbeats as the KV bucket `<ns>_runners` holds them now (liveness is read
 * from here, never from events). Reads are shared for `maxAgeMs` so loops ticking at once
 * do not each read the bucket.
 *
 * Each known runner's key is read with a plain get (a request with a timeout), never by
 * listing the bucket: `kv.keys()` creates a consumer per call — several a second from the
 * leader's loops — and on nats-server 2.9 a listing of a bucket whose entries expire can
 * wait for a heartbeat of its consumer that comes late or never, which held the scheduler's
 * tick (and the process's shutdown behind it) while sessions stayed pending. The runners
 * are those the read model knows (a runner registers before it is given work) and those
 * seen before.
 */
export class HeartbeatReader {
  private cached?: { at: number; value: Promise<RunnerHeartbeat[]> };
  private readonly seen = new Set<string>();

  constructor(
    private readonly broker: Broker,
    private readonly logger: Logger,
    /** Ids of the runners the read model knows, registered or not. */
    private readonly runnerIds: () => Promise<string[]>,
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
    const ids = new Set([...(await this.runnerIds()), ...this.seen]);
    const entries = await Promise.all(
      [...ids].map((id) =>
        kv.get(id).catch((err: unknown) => {
          // One unanswered get makes that runner absent from this read only (liveness keeps its last heartbeat).
          this.logger.warn({ err, runnerId: id }, 'could not read a runner heartbeat');
          return null;
        }),
      ),
    );
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
      if (hb.success && hb.data.runnerId === e.key) {
        out.push(hb.data);
        this.seen.add(e.key);
      } else this.logger.warn({ key: e.key }, 'ignoring a malformed runner heartbeat');
    }
    return out;
  }
}
