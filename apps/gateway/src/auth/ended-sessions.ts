import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { agentTokenRevocationsBucket } from '@baton/agent-auth';
import type { Broker, Logger } from '@baton/event-store';

const RETRY_MS = 1_000;
const CATCH_UP_MS = 10_000;

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

  /**
   * One watch does both: the last value of every key already there (nats.js flags the last of
   * them, and everything after, `isUpdate`), then each new one. No key-by-key reads at start.
   */
  private async mirror(): Promise<boolean> {
    const kv: KV = await new Kvm(this.broker.js).open(agentTokenRevocationsBucket(this.broker.names.namespace));
    const existing = (await kv.status()).values;
    const watch = await kv.watch({ ignoreDeletes: true });
    this.stopWatch = () => watch.stop();
    let caughtUp!: () => void;
    const initial = new Promise<void>((resolve) => (caughtUp = resolve));
    // `isUpdate` already marks the last existing entry: only what comes after it is news.
    let live = existing === 0;
    if (live) caughtUp();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT' && !this.ended.has(entry.key)) {
          this.ended.set(entry.key, endedAt(entry));
          if (live) for (const l of this.listeners) l(entry.key);
        }
        if (entry.isUpdate) {
          live = true;
          caughtUp();
        }
      }
      // The watch ended (connection lost for good, or stop): read again on the next check.
      if (!this.stopped) this.ready = false;
      caughtUp();
    })();
    // Entries expired between the count and the watch never come: wait a bounded time for them.
    const settled = await Promise.race([initial.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), CATCH_UP_MS).unref())]);
    if (!settled) watch.stop(); // the next check starts over
    this.ready = settled && !this.stopped;
    return this.ready;
  }
}
