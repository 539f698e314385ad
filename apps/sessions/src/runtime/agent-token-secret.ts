import { randomBytes } from 'node:crypto';
import type { Broker } from '@baton/event-store';
import type { KV } from '@nats-io/kv';
import { AGENT_TOKEN_REVOCATIONS_TTL_MS, agentTokenRevocationsBucket } from '@baton/agent-auth';

const KEY = 'agent-token-secret';

/** KV bucket of the sessions service's own settings (`<ns>_sessions`). */
export function sessionsBucket(broker: Broker): string {
  return `${broker.names.namespace}_sessions`;
}

/**
 * The secret that signs session tokens: from the environment, else the installation's
 * generated one in KV — created by the first replica that starts (`create` fails for the
 * others, which then read it), so every replica and the gateway share it.
 */
export async function agentTokenSecret(broker: Broker, fromEnv: string | undefined, replicas = 1): Promise<string> {
  if (fromEnv) return fromEnv;
  const kv = await broker.kv(sessionsBucket(broker), { history: 1, replicas });
  const existing = await kv.get(KEY);
  if (existing && existing.operation === 'PUT') return existing.string();
  const secret = randomBytes(32).toString('base64url');
  try {
    await kv.create(KEY, secret);
    return secret;
  } catch (e) {
    const raced = await kv.get(KEY);
    if (raced && raced.operation === 'PUT') return raced.string();
    throw e;
  }
}

/** The ended-sessions bucket the gateway checks tokens against; made here, with the installation's replicas. */
export function endedSessionsKv(broker: Broker, replicas = 1): Promise<KV> {
  return broker.kv(agentTokenRevocationsBucket(broker.names.namespace), { ttl: AGENT_TOKEN_REVOCATIONS_TTL_MS, history: 1, replicas });
}
