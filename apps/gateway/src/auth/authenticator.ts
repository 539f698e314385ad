import { QueryClient, QueryError } from '@baton/event-store';
import type { Principal } from './principal';
import { hashToken } from './token';

const TTL_MS = 10_000;
/** Unknown tokens are remembered briefly: enough to blunt guessing, short enough for a fresh token. */
const NEGATIVE_TTL_MS = 2_000;

/**
 * Token → principal, asked of the tasks service by hash and cached briefly: a revoked
 * token stops working within ten seconds on every gateway replica.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(private readonly queries: QueryClient) {}

  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    let principal: Principal | null;
    let until = Date.now() + TTL_MS;
    try {
      const who = await this.queries.ask<{ userId: string; name: string; role: Principal['role']; tokenId: string; expiresAt?: string }>('tasks', 'authenticate', { tokenHash: hash });
      principal = { kind: 'user', ...who };
      const { expiresAt } = who;
      // A token that expires (single sign-on's) is not taken from the cache past its end.
      if (expiresAt) until = Math.min(until, Date.parse(expiresAt));
    } catch (e) {
      if (e instanceof QueryError && e.code === 'not_found') principal = null;
      else throw e;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: principal ? until : Date.now() + NEGATIVE_TTL_MS });
    return principal;
  }

  /** Whether this token was accepted within the cache's lifetime: known good without asking. */
  accepted(token: string): boolean {
    const hit = this.cache.get(hashToken(token));
    return !!hit?.principal && hit.until > Date.now();
  }

  forget(token: string): void {
    this.cache.delete(hashToken(token));
  }
}
