import { z } from 'zod';
import { isAgentTokenPublicKey } from '@baton/agent-auth';

/**
 * Read at boot: a public key that is set but is not one stops the gateway, naming the variable.
 * The gateway holds no secret (BATON_AGENT_TOKEN_SECRET is the sessions service's alone).
 */
export const AgentAuthConfigSchema = z.object({
  BATON_AGENT_TOKEN_PUBLIC_KEY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine(isAgentTokenPublicKey, 'must be an Ed25519 public key: 32 bytes, base64url (43 characters), as agentTokenPublicKey(secret) gives').optional(),
  ),
});
