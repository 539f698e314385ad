// One implementation of agent tokens, shared with the gateway that verifies them (with the public key only).
export {
  AGENT_TOKEN_PREFIX,
  agentTokenPublicKey,
  AGENT_TOKEN_TTL_MS,
  MAX_AGENT_TOKEN_TTL_MS,
  MIN_AGENT_TOKEN_SECRET_LENGTH as MIN_SECRET_LENGTH,
  signAgentToken,
  inspectAgentToken as verifyAgentToken,
  isAgentToken,
  type AgentTokenVerdict,
} from '@baton/agent-auth';
