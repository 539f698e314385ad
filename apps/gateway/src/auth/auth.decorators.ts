import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Actor, Role } from '@baton/events';
import { actorOf, type AgentPrincipal, type Caller, type Principal } from './principal';

export const PUBLIC_ROUTE = 'baton:public';
export const REQUIRED_ROLE = 'baton:role';
export const AGENT_ROUTE = 'baton:agent';

type AuthRequest = { principal?: Principal; agent?: AgentPrincipal };

/** No token needed (health, the sign-in check). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The least role a route needs. Without it: reads need `viewer`, anything that changes
 * state needs `operator` — viewers can never send a command.
 */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/**
 * Agents (session tokens) may call this route too; the handler checks what they may do
 * with `canAgent`. Every other route answers an agent 403.
 */
export const AgentRoute = (opts: { afterEnd?: boolean } = {}) => SetMetadata(AGENT_ROUTE, opts.afterEnd ? AFTER_END : true);

/**
 * `@AgentRoute({ afterEnd: true })`: the agent's token still works here for a short while after
 * its session ended (LATE_REPORT_GRACE_MS) — only for what an agent's own hooks send once its
 * turn is over (usage), on its own session; everywhere else it ends with the session.
 */
export const AFTER_END = 'after_end';

/** The signed-in user (routes agents cannot reach). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});

/** The user or the agent calling an agent route. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest<AuthRequest>();
  return (req.agent ?? req.principal)!;
});

/** The actor every command records: the user, or `{ kind: 'agent', id: <sessionId> }`. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthRequest>();
  return actorOf((req.agent ?? req.principal)!);
});
