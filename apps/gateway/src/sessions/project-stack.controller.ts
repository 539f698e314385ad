import { Controller, Inject } from '@nestjs/common';
import { CloseProject, OpenProject, type Actor, type SpawnRequest } from '@baton/events';
import { QueryClient, QueryError } from '@baton/event-store';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { CommandSender, newId } from '../openapi/edge';
import type { ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { SessionRoutes as R } from '../openapi/routes/sessions.routes';
import { SessionRequests } from './session-requests';

interface StartupPlan {
  projectId: string;
  steps: SpawnRequest[];
  shutdownOrder: string[];
}

/** A project's stack (decision 0005): startup sequence in order, shutdown in reverse. */
@Controller()
export class ProjectStackController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(SessionRequests) private readonly requests: SessionRequests,
  ) {}

  @Route(R.openProject)
  async open(@RouteParams(R.openProject) p: ParamsOf<typeof R.openProject>, @RouteQuery(R.openProject) q: QueryOf<typeof R.openProject>, @CurrentActor() actor: Actor, @IdemKey() key?: string) {
    await this.requests.activeProject(p.id, q.minSeq);
    const ctx = { actor, key };
    const plan = await this.plan(p.id, newId(ctx, 'open'), q.minSeq);
    if (!plan.steps.length) {
      throw new ApiError(422, 'invalid_state', `project ${p.id} has nothing to start: no startupSequence and no autoStart template`, { details: { projectId: p.id } });
    }
    const accepted = await this.commands.send(OpenProject, { projectId: p.id, steps: plan.steps }, ctx, p.id);
    return { ...accepted, steps: plan.steps.map((s) => ({ sessionId: s.sessionId, templateId: s.templateId })) };
  }

  @Route(R.closeProject)
  async close(@RouteParams(R.closeProject) p: ParamsOf<typeof R.closeProject>, @RouteQuery(R.closeProject) q: QueryOf<typeof R.closeProject>, @CurrentActor() actor: Actor, @IdemKey() key?: string) {
    // The shutdown order comes with the startup plan; a plan that no longer resolves still closes, in reverse.
    const order = await this.plan(p.id, 'close', q.minSeq).then(
      (plan) => plan.shutdownOrder,
      (e: unknown) => {
        if (e instanceof QueryError && e.code === 'validation') return [];
        throw e;
      },
    );
    return { ...(await this.commands.send(CloseProject, { projectId: p.id, order }, { actor, key }, p.id)), steps: [] };
  }

  private plan(projectId: string, idBase: string, minSeq: number): Promise<StartupPlan> {
    return this.queries.ask<StartupPlan>('sessions', 'project_startup_plan', { projectId, idBase }, { minSeq });
  }
}
