import { Controller, Inject } from '@nestjs/common';
import { ulid } from 'ulid';
import { ChangeUserRole, CreateUser, IssueUserToken, RevokeUserToken, type Actor, type CommandReply } from '@baton/events';
import { CommandBus, QueryClient } from '@baton/event-store';
import { ApiError, rejected } from '../http/api-error';
import { CurrentActor, CurrentPrincipal } from '../auth/auth.decorators';
import { hasRole, type Principal } from '../auth/principal';
import { generateToken, hashToken } from '../auth/token';
import type { BodyOf, ParamsOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams } from '../openapi/route.decorators';
import { UserRoutes as R } from '../openapi/routes/users.routes';

/** Users and their tokens. A token's clear text is in exactly one response: the one that made it. */
@Controller()
export class UsersController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryClient) private readonly queries: QueryClient,
  ) {}

  @Route(R.me)
  me(@CurrentPrincipal() p: Principal) {
    return { id: p.userId, name: p.name, role: p.role, tokenId: p.tokenId, ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}) };
  }

  @Route(R.listUsers)
  list() {
    return this.queries.ask('tasks', 'list_users', {});
  }

  @Route(R.createUser)
  async create(@RouteBody(R.createUser) body: BodyOf<typeof R.createUser>, @CurrentActor() actor: Actor) {
    const token = generateToken();
    const userId = ulid();
    const tokenId = ulid();
    const reply = accepted(await this.commands.send(CreateUser, { userId, name: body.name, role: body.role, token: { tokenId, tokenHash: hashToken(token), label: body.tokenLabel } }, { actor }));
    await this.usable(token, reply.seq);
    return { id: userId, name: body.name, role: body.role, tokenId, token, seq: reply.seq };
  }

  @Route(R.issueUserToken)
  async issue(@RouteParams(R.issueUserToken) p: ParamsOf<typeof R.issueUserToken>, @RouteBody(R.issueUserToken) body: BodyOf<typeof R.issueUserToken>, @CurrentPrincipal() who: Principal, @CurrentActor() actor: Actor) {
    selfOrAdmin(who, p.id);
    const token = generateToken();
    const tokenId = ulid();
    const reply = accepted(await this.commands.send(IssueUserToken, { userId: p.id, tokenId, tokenHash: hashToken(token), label: body.label }, { actor }));
    await this.usable(token, reply.seq);
    return { tokenId, token, seq: reply.seq };
  }

  @Route(R.revokeUserToken)
  async revoke(@RouteParams(R.revokeUserToken) p: ParamsOf<typeof R.revokeUserToken>, @CurrentPrincipal() who: Principal, @CurrentActor() actor: Actor, @IdemKey() id?: string) {
    selfOrAdmin(who, p.id);
    return { seq: accepted(await this.commands.send(RevokeUserToken, { userId: p.id, tokenId: p.tokenId }, { actor, id })).seq };
  }

  @Route(R.changeUserRole)
  async role(@RouteParams(R.changeUserRole) p: ParamsOf<typeof R.changeUserRole>, @RouteBody(R.changeUserRole) body: BodyOf<typeof R.changeUserRole>, @CurrentActor() actor: Actor, @IdemKey() id?: string) {
    return { seq: accepted(await this.commands.send(ChangeUserRole, { userId: p.id, role: body.role }, { actor, id })).seq };
  }

  /** A token is handed out only once it works: the read model has applied it. */
  private async usable(token: string, seq: number): Promise<void> {
    await this.queries.ask('tasks', 'authenticate', { tokenHash: hashToken(token) }, { minSeq: seq });
  }
}

function accepted(reply: CommandReply): Extract<CommandReply, { status: 'accepted' }> {
  if (reply.status === 'rejected') throw rejected(reply);
  return reply;
}

function selfOrAdmin(p: Principal, userId: string): void {
  if (p.userId !== userId && !hasRole(p, 'admin')) throw new ApiError(403, 'forbidden', "only an admin may manage another user's tokens");
}
