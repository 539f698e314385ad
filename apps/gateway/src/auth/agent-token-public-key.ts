import { Kvm } from '@nats-io/kv';
import { AGENT_TOKEN_PUBLIC_KEY_KV_KEY, agentTokenKeysBucket, isAgentTokenPublicKey } from '@baton/agent-auth';
import type { Broker } from '@baton/event-store';

const RETRY_MS = 1_000;

/**
 * The public key session tokens are checked with: `BATON_AGENT_TOKEN_PUBLIC_KEY` when set (it
 * must then match the sessions service's secret: `agentTokenPublicKey(secret)`), else the one
 * the sessions service publishes in KV `<ns>_agent_token_keys` — read, never created: the
 * sessions service owns it. Until it exists no session token can exist either, so there is
 * nothing to verify. The gateway never holds the secret, so it cannot mint a token.
 */
export class AgentTokenPublicKey {
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
    const kv = await new Kvm(this.broker.js).open(agentTokenKeysBucket(this.broker.names.namespace)).catch(() => null);
    const entry = kv ? await kv.get(AGENT_TOKEN_PUBLIC_KEY_KV_KEY).catch(() => null) : null;
    // Anything else in its place is not a key: wait for one rather than fail every request on it.
    if (entry && entry.operation === 'PUT' && isAgentTokenPublicKey(entry.string())) this.cached = entry.string();
    return this.cached;
  }
}
