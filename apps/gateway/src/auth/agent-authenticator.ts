import { isAgentToken, verifyAgentToken } from '@baton/agent-auth';
import type { AgentPrincipal } from './principal';
import type { AgentTokenSecret } from './agent-token-secret';

export type AgentAuthentication = { principal: AgentPrincipal } | { error: string };

/**
 * A session token (`bat_s.…`) → the agent it belongs to, by signature alone: no lookup, so
 * an agent keeps reporting while a read model rebuilds. Whether its session still runs is
 * for the command it sends (the session's decider refuses reports on an ended session).
 */
export class AgentAuthenticator {
  constructor(private readonly secret: AgentTokenSecret) {}

  static looksLikeAgentToken(token: string): boolean {
    return isAgentToken(token);
  }

  async authenticate(token: string, now = new Date().toISOString()): Promise<AgentAuthentication> {
    const secret = await this.secret.get();
    if (!secret) return { error: 'session tokens cannot be checked yet: no agent token secret (set BATON_AGENT_TOKEN_SECRET, or start the sessions service)' };
    const claims = verifyAgentToken(token, secret, now);
    if (!claims) return { error: 'invalid or expired session token' };
    return { principal: { kind: 'agent', sessionId: claims.sessionId, claims } };
  }
}
