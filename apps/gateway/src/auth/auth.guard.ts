import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@baton/events';
import { ApiError } from '../http/api-error';
import { AgentAuthenticator } from './agent-authenticator';
import { AGENT_ROUTE, PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';
import { Authenticator } from './authenticator';
import { hasRole, type AgentPrincipal, type Principal } from './principal';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route needs a bearer token unless marked public; roles gate what a user may do.
 * A session token (`bat_s.…`) is an agent's: it reaches only routes marked `@AgentRoute()`,
 * whose handlers check with `canAgent` that it acts on its own session and tasks.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly auth: Authenticator,
    @Inject(AgentAuthenticator) private readonly agents: AgentAuthenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal; agent?: AgentPrincipal }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic || req.path.startsWith('/health')) return true;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([\x21-\x7e]{10,16384})$/.exec(header);
    if (!match || (match[1].length > 512 && !AgentAuthenticator.looksLikeAgentToken(match[1]))) {
      throw new ApiError(401, 'unauthorized', header ? 'malformed Authorization header; expected "Bearer <token>"' : 'a bearer token is required');
    }
    if (AgentAuthenticator.looksLikeAgentToken(match[1])) return this.agent(ctx, req, match[1]);
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw new ApiError(401, 'unauthorized', 'unknown or revoked token');
    req.principal = principal;
    const needed: Role = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, [ctx.getHandler(), ctx.getClass()]) ?? (READS.has(req.method) ? 'viewer' : 'operator');
    if (!hasRole(principal, needed)) throw new ApiError(403, 'forbidden', `this needs the ${needed} role; you are ${principal.role}`);
    return true;
  }

  private async agent(ctx: ExecutionContext, req: Request & { agent?: AgentPrincipal }, token: string): Promise<boolean> {
    const result = await this.agents.authenticate(token);
    if ('error' in result) throw new ApiError(401, 'unauthorized', result.error);
    const allowed = this.reflector.getAllAndOverride<boolean>(AGENT_ROUTE, [ctx.getHandler(), ctx.getClass()]);
    if (!allowed) {
      throw new ApiError(403, 'forbidden', `a session token (agent of session ${result.principal.sessionId}) may call agent routes only`, {
        details: { sessionId: result.principal.sessionId },
      });
    }
    req.agent = result.principal;
    return true;
  }
}
