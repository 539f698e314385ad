import { Controller, Inject } from '@nestjs/common';
import { DefineSessionTemplate, RemoveSessionTemplate, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, TemplateView } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { TemplateRoutes as R } from '../openapi/routes/templates.routes';

/** Session templates: built-ins are code (read only); the installation's and projects' are versioned aggregates. */
@Controller()
export class TemplatesController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
  ) {}

  @Route(R.listSessionTemplates)
  list(@RouteQuery(R.listSessionTemplates) q: QueryOf<typeof R.listSessionTemplates>): Promise<TemplateView[]> {
    return this.all(q.projectId, q.minSeq);
  }

  @Route(R.listProjectSessionTemplates)
  async listForProject(
    @RouteParams(R.listProjectSessionTemplates) p: ParamsOf<typeof R.listProjectSessionTemplates>,
    @RouteQuery(R.listProjectSessionTemplates) q: QueryOf<typeof R.listProjectSessionTemplates>,
  ): Promise<TemplateView[]> {
    await this.queries.ask('tasks', 'get_project', { id: p.id }, { minSeq: q.minSeq });
    return this.all(p.id, q.minSeq);
  }

  @Route(R.getSessionTemplate)
  async get(@RouteParams(R.getSessionTemplate) p: ParamsOf<typeof R.getSessionTemplate>, @RouteQuery(R.getSessionTemplate) q: QueryOf<typeof R.getSessionTemplate>): Promise<TemplateView> {
    const found = (await this.all(q.projectId, q.minSeq)).find((t) => t.id === p.id);
    if (!found) throw new ApiError(404, 'not_found', `template ${p.id} does not exist${q.projectId ? ` for project ${q.projectId}` : ' (a project\'s own template needs its projectId)'}`, { details: { templateId: p.id } });
    return found;
  }

  @Route(R.defineSessionTemplate)
  async define(
    @RouteQuery(R.defineSessionTemplate) q: QueryOf<typeof R.defineSessionTemplate>,
    @RouteBody(R.defineSessionTemplate) body: BodyOf<typeof R.defineSessionTemplate>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    if (body.projectId) await this.queries.ask('tasks', 'get_project', { id: body.projectId }, { minSeq: q.minSeq });
    const ctx = { actor, key };
    const templateId = body.id ?? newId(ctx, 'session-template');
    return this.commands.send(DefineSessionTemplate, { templateId, projectId: body.projectId, spec: body.spec }, ctx, templateId);
  }

  @Route(R.removeSessionTemplate)
  remove(@RouteParams(R.removeSessionTemplate) p: ParamsOf<typeof R.removeSessionTemplate>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    return this.commands.send(RemoveSessionTemplate, { templateId: p.id }, { actor, key }, p.id);
  }

  private all(projectId: string | undefined, minSeq: number): Promise<TemplateView[]> {
    return this.queries.ask<TemplateView[]>('sessions', 'list_session_templates', projectId ? { projectId } : {}, { minSeq });
  }
}
