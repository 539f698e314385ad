import { isAgentToken, verifyAgentToken } from '@baton/agent-auth';
import type { AgentPrincipal } from './principal';
import type { AgentTokenPublicKey } from './agent-token-public-key';
import type { EndedSessions } from './ended-sessions';

/** How long after its session ended an agent's hooks may still report its usage (its Stop hook runs after `report completed`). */
export const LATE_REPORT_GRACE_MS = 2 * 60_000;

export type AgentAuthentication = { principal: AgentPrincipal } | { error: string };

/**
 * A session token (`bat_s.…`) → the agent it belongs to: by its signature (checked with the
 * sessions service's public key: the gateway cannot sign one), and only while its session has
 * not ended (the ended sessions are mirrored in memory: no lookup per request, so an agent
 * keeps reporting while a read model rebuilds).
 */
export class AgentAuthenticator {
  constructor(
    private readonly publicKey: Pick<AgentTokenPublicKey, 'get'>,
    private readonly endedSessions: Pick<EndedSessions, 'check'>,
  ) {}

  static looksLikeAgentToken(token: string): boolean {
    return isAgentToken(token);
  }

  /** `afterEnd`: a route an agent's hooks still report to right after the end (LATE_REPORT_GRACE_MS). */
  async authenticate(token: string, opts: { afterEnd?: boolean } = {}, now = new Date().toISOString()): Promise<AgentAuthentication> {
    const publicKey = await this.publicKey.get();
    if (!publicKey) return { error: 'session tokens cannot be checked yet: no agent token public key (set BATON_AGENT_TOKEN_PUBLIC_KEY, or start the sessions service)' };
    const claims = verifyAgentToken(token, publicKey, now);
    if (!claims) return { error: 'invalid or expired session token' };
    const session = await this.endedSessions.check(claims.sessionId);
    if (session.kind === 'unknown') return { error: 'session tokens cannot be checked yet: the ended sessions are not readable (start the sessions service)' };
    if (session.kind === 'ended' && !(opts.afterEnd && Date.parse(now) - Date.parse(session.at) <= LATE_REPORT_GRACE_MS)) {
      return { error: `session ${claims.sessionId} has ended: its token no longer works` };
    }
    return { principal: { kind: 'agent', sessionId: claims.sessionId, claims } };
  }
}
