import { createHash } from 'node:crypto';

/** At most this many clients are remembered; past it the longest-untouched are forgotten first. */
const MAX_CLIENTS = 50_000;
/** Refused tokens remembered per client, so that one retried token counts once. */
const MAX_SEEN = 16;

export interface FailedAuthLimits {
  /** Refused tokens a client may present in a burst (the bucket's size). */
  limit: number;
  /** The bucket refills completely in this long: `limit` refusals per window, sustained. */
  windowMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Fingerprints of the refused tokens already counted since the bucket was last full. */
  seen: string[];
}

/**
 * Refused tokens per client (its address), as a token bucket: each different refused token
 * takes one; an empty bucket means the client's next attempts are answered 429 until one
 * has refilled. The same wrong token sent again (a script retrying, a page polling before
 * its token exists) counts once: guessing needs different tokens. Accepted tokens cost
 * nothing. In memory, per gateway process.
 */
export class FailedAuthLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly limits: FailedAuthLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = limits.limit / limits.windowMs;
  }

  /** Seconds until the client may try again, or 0 when it may now. */
  retryAfter(client: string): number {
    const tokens = this.tokens(client);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  /** Records a refused token; returns what `retryAfter` then says. */
  failed(client: string, token: string): number {
    const tokens = this.tokens(client);
    const seen = tokens >= this.limits.limit ? [] : (this.buckets.get(client)?.seen ?? []);
    const fingerprint = createHash('sha256').update(token).digest('base64url').slice(0, 16);
    if (seen.includes(fingerprint)) return this.retryAfter(client);
    this.buckets.delete(client); // re-inserted last: the Map's order is "least recently refused" first
    this.buckets.set(client, { tokens: Math.max(0, tokens - 1), at: this.now(), seen: [...seen, fingerprint].slice(-MAX_SEEN) });
    if (this.buckets.size > MAX_CLIENTS) this.prune();
    return this.retryAfter(client);
  }

  private tokens(client: string): number {
    const b = this.buckets.get(client);
    if (!b) return this.limits.limit;
    return Math.min(this.limits.limit, b.tokens + (this.now() - b.at) * this.perMs);
  }

  private prune(): void {
    for (const [client] of this.buckets) {
      if (this.tokens(client) >= this.limits.limit) this.buckets.delete(client);
    }
    for (const [client] of this.buckets) {
      if (this.buckets.size <= MAX_CLIENTS * 0.9) break;
      this.buckets.delete(client);
    }
  }
}
