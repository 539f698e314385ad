import { randomBytes } from 'node:crypto';
import type { Broker } from '@baton/event-store';
import type { KV } from '@nats-io/kv';
import { AGENT_TOKEN_PUBLIC_KEY_KV_KEY, AGENT_TOKEN_REVOCATIONS_TTL_MS, agentTokenKeysBucket, agentTokenPublicKey, agentTokenRevocationsBucket } from '@baton/agent-auth';

const KEY = 'agent-token-secret';

/** KV bucket of the sessions service's own settings (`<ns>_sessions`). */
export function sessionsBucket(broker: Broker): string {
  return `${broker.names.namespace}_sessions`;
}

/**
 * The secret session tokens are signed with (it seeds the Ed25519 key): from the environment,
 * else the installation's generated one in KV — created by the first replica that starts
 * (`create` fails for the others, which then read it), so every replica signs alike. Only the
 * sessions service reads it; NATS keeps this bucket from every other role.
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

/**
 * Publishes the public key that verifies what `secret` signs, for the gateway: KV
 * `<ns>_agent_token_keys`, key `public-key` (raw 32 bytes, base64url). Written when it differs,
 * so a changed secret reaches gateways that start after it (a running gateway keeps the key it read).
 */
export async function publishAgentTokenPublicKey(broker: Broker, secret: string, replicas = 1): Promise<string> {
  const publicKey = agentTokenPublicKey(secret);
  const kv = await broker.kv(agentTokenKeysBucket(broker.names.namespace), { history: 1, replicas });
  const existing = await kv.get(AGENT_TOKEN_PUBLIC_KEY_KV_KEY);
  if (existing?.operation !== 'PUT' || existing.string() !== publicKey) await kv.put(AGENT_TOKEN_PUBLIC_KEY_KV_KEY, publicKey);
  return publicKey;
}

/** The ended-sessions bucket the gateway checks tokens against; made here, with the installation's replicas. */
export function endedSessionsKv(broker: Broker, replicas = 1): Promise<KV> {
  return broker.kv(agentTokenRevocationsBucket(broker.names.namespace), { ttl: AGENT_TOKEN_REVOCATIONS_TTL_MS, history: 1, replicas });
}
