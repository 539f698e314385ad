import { Controller, Inject } from '@nestjs/common';
import { AddProjectMember, ChangeProjectMemberRole, RemoveProjectMember, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, MemberView } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { CommandSender } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { MemberRoutes as R } from '../openapi/routes/members.routes';
import { Memberships } from './memberships';

/** A project's members: admins add, change and remove them (docs/decisions/0023); members read the list. */
@Controller()
export class MembersController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(Memberships) private readonly memberships: Memberships,
  ) {}

  @Route(R.listProjectMembers)
  list(@RouteParams(R.listProjectMembers) p: ParamsOf<typeof R.listProjectMembers>, @RouteQuery(R.listProjectMembers) q: QueryOf<typeof R.listProjectMembers>): Promise<MemberView[]> {
    return this.queries.ask('tasks', 'project_members', { projectId: p.id }, { minSeq: q.minSeq });
  }

  /** The user must exist (404 naming it); users are never deleted, so the check cannot go stale. */
  @Route(R.addProjectMember)
  async add(
    @RouteParams(R.addProjectMember) p: ParamsOf<typeof R.addProjectMember>,
    @RouteQuery(R.addProjectMember) q: QueryOf<typeof R.addProjectMember>,
    @RouteBody(R.addProjectMember) body: BodyOf<typeof R.addProjectMember>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.queries.ask('tasks', 'get_user', { id: body.userId }, { minSeq: q.minSeq });
    return this.changed(body.userId, p.id, await this.commands.send(AddProjectMember, { projectId: p.id, ...body }, { actor, key }, p.id));
  }

  @Route(R.changeProjectMemberRole)
  async change(
    @RouteParams(R.changeProjectMemberRole) p: ParamsOf<typeof R.changeProjectMemberRole>,
    @RouteBody(R.changeProjectMemberRole) body: BodyOf<typeof R.changeProjectMemberRole>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.changed(p.userId, p.id, await this.commands.send(ChangeProjectMemberRole, { projectId: p.id, userId: p.userId, role: body.role }, { actor, key }, p.id));
  }

  @Route(R.removeProjectMember)
  async remove(@RouteParams(R.removeProjectMember) p: ParamsOf<typeof R.removeProjectMember>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    return this.changed(p.userId, p.id, await this.commands.send(RemoveProjectMember, { projectId: p.id, userId: p.userId }, { actor, key }, p.id));
  }

  /** This gateway forgets the user's memberships at once (the others learn it from the log). */
  private changed(userId: string, projectId: string, accepted: CommandAccepted): CommandAccepted {
    if (accepted.events.length) this.memberships.changed(userId, projectId, accepted.seq);
    return accepted;
  }
}
