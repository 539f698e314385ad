import type { Actor, Role } from '@baton/events';
import type { VerifiedAgentClaims } from '@baton/agent-auth';

/** Who is calling: resolved from the bearer token by the auth guard. */
export interface Principal {
  kind: 'user';
  userId: string;
  name: string;
  role: Role;
  tokenId: string;
  /** When the token stops working (a single sign-on token's); absent: until revoked. */
  expiresAt?: string;
}

/** An agent holding its session's token (BATON_TOKEN): it may call agent routes only, on its own session and tasks. */
export interface AgentPrincipal {
  kind: 'agent';
  sessionId: string;
  claims: VerifiedAgentClaims;
}

/** A person or an agent. */
export type Caller = Principal | AgentPrincipal;

export function actorOf(p: Caller): Actor {
  return p.kind === 'agent' ? { kind: 'agent', id: p.sessionId } : { kind: p.kind, id: p.userId };
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function hasRole(p: Principal, needed: Role): boolean {
  return RANK[p.role] >= RANK[needed];
}
