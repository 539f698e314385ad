import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Role } from '@baton/events';
import { ApiError } from '../http/api-error';
import { ClientAddress } from '../http/client-address';
import { AgentAuthenticator } from './agent-authenticator';
import { AFTER_END, AGENT_ROUTE, PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';
import { Authenticator } from './authenticator';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { hasRole, type AgentPrincipal, type Principal } from './principal';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route needs a bearer token unless marked public; roles gate what a user may do.
 * A session token (`bat_s.…`) is an agent's: it reaches only routes marked `@AgentRoute()`,
 * whose handlers check with `canAgent` that it acts on its own session and tasks.
 * A client (its address) that presented too many refused tokens gets 429 with Retry-After,
 * unless its token is one this gateway has just accepted (see `refuse`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly auth: Authenticator,
    @Inject(AgentAuthenticator) private readonly agents: AgentAuthenticator,
    @Inject(FailedAuthLimiter) private readonly limiter: FailedAuthLimiter,
    @Inject(ClientAddress) private readonly clients: ClientAddress,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal; agent?: AgentPrincipal }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic || req.path.startsWith('/health')) return true;
    const header = req.headers.authorization ?? '';
    if (!header) throw new ApiError(401, 'unauthorized', 'a bearer token is required');
    const client = this.clients.of(req);
    const res = ctx.switchToHttp().getResponse<Response>();
    const blocked = this.limiter.retryAfter(client);
    const match = /^Bearer ([\x21-\x7e]{10,16384})$/.exec(header);
    if (!match || (match[1].length > 512 && !AgentAuthenticator.looksLikeAgentToken(match[1]))) {
      throw this.refuse(res, client, header, blocked, 'malformed Authorization header; expected "Bearer <token>"');
    }
    if (AgentAuthenticator.looksLikeAgentToken(match[1])) return this.agent(ctx, req, match[1], () => this.refuse(res, client, match[1], blocked, 'invalid or expired session token'));
    // While the client is throttled only a token this gateway accepted moments ago is looked at.
    if (blocked && !this.auth.accepted(match[1])) throw this.refuse(res, client, match[1], blocked, 'unknown or revoked token');
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw this.refuse(res, client, match[1], blocked, 'unknown or revoked token');
    req.principal = principal;
    const needed: Role = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, [ctx.getHandler(), ctx.getClass()]) ?? (READS.has(req.method) ? 'viewer' : 'operator');
    if (!hasRole(principal, needed)) throw new ApiError(403, 'forbidden', `this needs the ${needed} role; you are ${principal.role}`);
    return true;
  }

  /**
   * A refused token: 401, counted against the client; once the client was refused too often
   * (`blocked`: the seconds it must wait), 429 with Retry-After and nothing counted.
   */
  private refuse(res: Response, client: string, token: string, blocked: number, why: string): ApiError {
    if (!blocked) {
      this.limiter.failed(client, token);
      return new ApiError(401, 'unauthorized', why);
    }
    res.setHeader('Retry-After', String(blocked));
    return new ApiError(429, 'rate_limited', `too many refused tokens from your address; try again in ${blocked} s`, { details: { retryAfterSeconds: blocked } });
  }

  private async agent(ctx: ExecutionContext, req: Request & { agent?: AgentPrincipal }, token: string, refused: () => ApiError): Promise<boolean> {
    // A signature check costs no lookup: a valid session token passes even from a throttled
    // client; a forged or expired one counts against it (an ended session's does not).
    const allowed = this.reflector.getAllAndOverride<boolean | typeof AFTER_END>(AGENT_ROUTE, [ctx.getHandler(), ctx.getClass()]);
    const result = await this.agents.authenticate(token, { afterEnd: allowed === AFTER_END });
    if ('error' in result) throw result.error === 'invalid or expired session token' ? refused() : new ApiError(401, 'unauthorized', result.error);
    if (!allowed) {
      throw new ApiError(403, 'forbidden', `a session token (agent of session ${result.principal.sessionId}) may call agent routes only`, {
        details: { sessionId: result.principal.sessionId },
      });
    }
    req.agent = result.principal;
    return true;
  }
}
