import { Controller, Inject } from '@nestjs/common';
import { AddPromptTemplateVersion, ArchivePromptTemplate, CreatePromptTemplate, RenamePromptTemplate, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, Page } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { PromptRoutes as R } from '../openapi/routes/prompts.routes';
import { renderPrompt } from './render-prompt';

type VersionAccepted = CommandAccepted & { versionId: string };

/** Prompt templates and their immutable versions. */
@Controller()
export class PromptsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
  ) {}

  @Route(R.createPromptTemplate)
  async create(@RouteBody(R.createPromptTemplate) body: BodyOf<typeof R.createPromptTemplate>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<VersionAccepted> {
    const ctx = { actor, key };
    const templateId = newId(ctx, 'prompt-template');
    const versionId = newId(ctx, 'prompt-version');
    return { ...(await this.commands.send(CreatePromptTemplate, { templateId, versionId, ...body }, ctx, templateId)), versionId };
  }

  @Route(R.listPromptTemplates)
  async list(@RouteQuery(R.listPromptTemplates) q: QueryOf<typeof R.listPromptTemplates>): Promise<Page<unknown>> {
    const params = { includeArchived: q.includeArchived, ...(q.projectId ? { projectId: q.projectId } : {}) };
    const all = await this.queries.ask<unknown[]>('tasks', 'list_prompt_templates', params, { minSeq: q.minSeq });
    return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
  }

  @Route(R.getPromptTemplate)
  get(@RouteParams(R.getPromptTemplate) p: ParamsOf<typeof R.getPromptTemplate>, @RouteQuery(R.getPromptTemplate) q: QueryOf<typeof R.getPromptTemplate>): Promise<unknown> {
    return this.queries.ask('tasks', 'get_prompt_template', { id: p.id }, { minSeq: q.minSeq });
  }

  @Route(R.addPromptVersion)
  async addVersion(
    @RouteParams(R.addPromptVersion) p: ParamsOf<typeof R.addPromptVersion>,
    @RouteBody(R.addPromptVersion) body: BodyOf<typeof R.addPromptVersion>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<VersionAccepted> {
    const ctx = { actor, key };
    const versionId = newId(ctx, 'prompt-version');
    return { ...(await this.commands.send(AddPromptTemplateVersion, { templateId: p.id, versionId, ...body }, ctx, versionId)), versionId };
  }

  @Route(R.renamePromptTemplate)
  rename(
    @RouteParams(R.renamePromptTemplate) p: ParamsOf<typeof R.renamePromptTemplate>,
    @RouteBody(R.renamePromptTemplate) body: BodyOf<typeof R.renamePromptTemplate>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(RenamePromptTemplate, { templateId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.archivePromptTemplate)
  archive(@RouteParams(R.archivePromptTemplate) p: ParamsOf<typeof R.archivePromptTemplate>, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    return this.commands.send(ArchivePromptTemplate, { templateId: p.id }, { actor, key }, p.id);
  }

  @Route(R.getPromptVersion)
  version(@RouteParams(R.getPromptVersion) p: ParamsOf<typeof R.getPromptVersion>, @RouteQuery(R.getPromptVersion) q: QueryOf<typeof R.getPromptVersion>): Promise<unknown> {
    return this.queries.ask('tasks', 'get_prompt_version', { id: p.id }, { minSeq: q.minSeq });
  }

  /** A read with a body: viewers may render (the route's role says so). */
  @Route(R.renderPrompt)
  render(
    @RouteParams(R.renderPrompt) p: ParamsOf<typeof R.renderPrompt>,
    @RouteQuery(R.renderPrompt) q: QueryOf<typeof R.renderPrompt>,
    @RouteBody(R.renderPrompt) body: BodyOf<typeof R.renderPrompt>,
  ): Promise<unknown> {
    return renderPrompt(this.queries, { promptVersionId: p.id, taskId: body.taskId, values: body.values }, q.minSeq, 'values');
  }
}
