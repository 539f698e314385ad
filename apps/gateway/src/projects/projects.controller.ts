import { Controller, Inject } from '@nestjs/common';
import { ArchiveProject, ChangeProjectSettings, CreateProject, DeleteProject, RenameProject, UnarchiveProject, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, Page, ProjectView } from '@baton/contracts';
import { CurrentActor, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { Memberships } from '../membership/memberships';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { ProjectRoutes as R } from '../openapi/routes/projects.routes';
import { ApiError } from '../http/api-error';

/** Thin: validate (schemas from the route registry), turn into a command or a query, map the answer. */
@Controller()
export class ProjectsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(Memberships) private readonly memberships: Memberships,
  ) {}

  @Route(R.createProject)
  async create(@RouteBody(R.createProject) body: BodyOf<typeof R.createProject>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    const ctx = { actor, key };
    const projectId = newId(ctx, 'project');
    const accepted = await this.commands.send(CreateProject, { projectId, ...body }, ctx, projectId);
    // Its creator is its first operator (docs/decisions/0023): usable at once through this gateway.
    if (accepted.events.length) this.memberships.changed(actor.id, projectId, accepted.seq);
    return accepted;
  }

  @Route(R.listProjects)
  list(@RouteQuery(R.listProjects) q: QueryOf<typeof R.listProjects>, @CurrentPrincipal() principal: Principal): Promise<Page<ProjectView>> {
    const { minSeq, ...params } = q;
    // Admins see every project; anyone else the ones it is a member of (docs/decisions/0023).
    return this.queries.ask('tasks', 'list_projects', { ...params, ...(principal.role === 'admin' ? {} : { memberId: principal.userId }) }, { minSeq });
  }

  @Route(R.getProject)
  get(@RouteParams(R.getProject) p: ParamsOf<typeof R.getProject>, @RouteQuery(R.getProject) q: QueryOf<typeof R.getProject>): Promise<ProjectView> {
    return this.queries.ask('tasks', 'get_project', { id: p.id }, { minSeq: q.minSeq });
  }

  @Route(R.renameProject)
  rename(
    @RouteParams(R.renameProject) p: ParamsOf<typeof R.renameProject>,
    @RouteBody(R.renameProject) body: BodyOf<typeof R.renameProject>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(RenameProject, { projectId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.changeProjectSettings)
  changeSettings(
    @RouteParams(R.changeProjectSettings) p: ParamsOf<typeof R.changeProjectSettings>,
    @RouteBody(R.changeProjectSettings) body: BodyOf<typeof R.changeProjectSettings>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(ChangeProjectSettings, { projectId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.archiveProject)
  archive(@RouteParams(R.archiveProject) p: ParamsOf<typeof R.archiveProject>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    return this.commands.send(ArchiveProject, { projectId: p.id }, { actor, key }, p.id);
  }

  @Route(R.unarchiveProject)
  unarchive(@RouteParams(R.unarchiveProject) p: ParamsOf<typeof R.unarchiveProject>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    return this.commands.send(UnarchiveProject, { projectId: p.id }, { actor, key }, p.id);
  }

  /** Refused with 422 by the tasks service while any attempt of the project is active. */
  /**
   * Refused while sessions of the project run (asked of the sessions service first: they are
   * its facts, not the project's) and, by the project's own rule, while an attempt is active.
   */
  @Route(R.deleteProject)
  async remove(
    @RouteParams(R.deleteProject) p: ParamsOf<typeof R.deleteProject>,
    @RouteQuery(R.deleteProject) q: QueryOf<typeof R.deleteProject>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const running = await this.queries.ask<Page<{ id: string }>>('sessions', 'list_sessions', { projectId: p.id, live: true, limit: 20, offset: 0 }, { minSeq: q.minSeq });
    if (running.items.length) {
      throw new ApiError(422, 'invalid_state', `project ${p.id} has ${running.total} running session(s); stop them first`, {
        details: { projectId: p.id, sessions: running.items.map((s) => s.id) },
      });
    }
    return this.commands.send(DeleteProject, { projectId: p.id }, { actor, key }, p.id);
  }
}
