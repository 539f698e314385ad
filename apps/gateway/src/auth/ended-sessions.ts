import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { agentTokenRevocationsBucket } from '@baton/agent-auth';
import type { Broker, Logger } from '@baton/event-store';

const RETRY_MS = 1_000;

export type SessionTokenState = { kind: 'live' } | { kind: 'ended'; at: string } | { kind: 'unknown' };

/** The value is the instant the session ended (the sessions service writes it); the entry's own time otherwise. */
const endedAt = (entry: KvEntry) => {
  const value = entry.string();
  return Number.isFinite(Date.parse(value)) ? value : entry.created.toISOString();
};

/**
 * The sessions that ended, whose tokens therefore no longer work: the sessions service's KV
 * bucket (`<ns>_ended_sessions`, one key per ended session), mirrored in memory by a watch so a
 * check costs nothing per request. The bucket is opened, never created (the sessions service
 * owns it); until it can be read, no session token is accepted: failing open would let an
 * ended session's token back in after every gateway restart.
 */
export class EndedSessions {
  /** Session id → when it ended. */
  private readonly ended = new Map<string, string>();
  private readonly listeners = new Set<(sessionId: string) => void>();
  private ready = false;
  private starting: Promise<boolean> | null = null;
  private lastTry = 0;
  private stopped = false;
  private stopWatch: (() => void) | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly logger?: Logger,
  ) {}

  /** `ended` (and when) or `live` once the bucket is mirrored; `unknown` while it cannot be read. */
  async check(sessionId: string): Promise<SessionTokenState> {
    if (!this.ready && !(await this.start())) return { kind: 'unknown' };
    const at = this.ended.get(sessionId);
    return at ? { kind: 'ended', at } : { kind: 'live' };
  }

  /** Called once per session that ends while the gateway runs (to drop its sockets). */
  onEnded(listener: (sessionId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Mirrors the bucket: the watch first (updates only), then the keys already there, so nothing falls between. */
  start(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.starting) return this.starting;
    if (Date.now() - this.lastTry < RETRY_MS) return Promise.resolve(false);
    this.lastTry = Date.now();
    this.starting = this.mirror()
      .catch((err: unknown) => {
        this.logger?.debug({ err }, 'ended-sessions bucket not readable yet');
        return false;
      })
      .finally(() => (this.starting = null));
    return this.starting;
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  private async mirror(): Promise<boolean> {
    const kv: KV = await new Kvm(this.broker.js).open(agentTokenRevocationsBucket(this.broker.names.namespace));
    const watch = await kv.watch({ include: 'updates', ignoreDeletes: true });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT' || this.ended.has(entry.key)) continue;
        this.ended.set(entry.key, endedAt(entry));
        for (const l of this.listeners) l(entry.key);
      }
      // The watch ended (connection lost for good, or stop): read again on the next check.
      if (!this.stopped) this.ready = false;
    })();
    for await (const key of await kv.keys()) {
      const entry = this.ended.has(key) ? null : await kv.get(key);
      if (entry?.operation === 'PUT') this.ended.set(key, endedAt(entry));
    }
    this.ready = !this.stopped;
    return this.ready;
  }
}
