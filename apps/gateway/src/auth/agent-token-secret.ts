import { Kvm } from '@nats-io/kv';
import type { Broker } from '@baton/event-store';

/** Where the sessions service keeps the secret it generated when none was configured (apps/sessions/src/runtime/agent-token-secret.ts). */
export const SESSIONS_KV_KEY = 'agent-token-secret';
export const sessionsBucket = (broker: Broker) => `${broker.names.namespace}_sessions`;

const RETRY_MS = 1_000;

/**
 * The secret session tokens are signed with: `BATON_AGENT_TOKEN_SECRET` when set (it must
 * then be the sessions service's too), else the one the sessions service generated and
 * keeps in KV `<ns>_sessions` — read, never created: the sessions service owns it. Until
 * it exists no session token can exist either, so there is nothing to verify.
 */
export class AgentTokenSecret {
  private cached: string | null;
  private lastTry = 0;
  private pending: Promise<string | null> | null = null;

  constructor(
    private readonly broker: Broker,
    fromEnv: string | undefined,
  ) {
    this.cached = fromEnv ?? null;
  }

  get configured(): boolean {
    return this.cached !== null;
  }

  async get(): Promise<string | null> {
    if (this.cached) return this.cached;
    if (Date.now() - this.lastTry < RETRY_MS) return null;
    this.pending ??= this.read().finally(() => (this.pending = null));
    return this.pending;
  }

  private async read(): Promise<string | null> {
    this.lastTry = Date.now();
    const kv = await new Kvm(this.broker.js).open(sessionsBucket(this.broker)).catch(() => null);
    const entry = kv ? await kv.get(SESSIONS_KV_KEY).catch(() => null) : null;
    if (entry && entry.operation === 'PUT') this.cached = entry.string();
    return this.cached;
  }
}
