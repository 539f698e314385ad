import { Controller, Inject } from '@nestjs/common';
import { AddAttemptMessage, FinishAttempt, RequestAttemptChanges, RequestAttemptReview, StartAttempt, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { AttemptView, CommandAccepted, Page } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { combine, CommandSender, newId, subKey } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { AttemptRoutes as R } from '../openapi/routes/attempts.routes';
import { renderPrompt } from '../prompts/render-prompt';
import { TaskLocator } from '../tasks/task-locator';

/** Attempts: their lifecycle is the project's aggregate's, their conversation the task's. */
@Controller()
export class AttemptsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(TaskLocator) private readonly locator: TaskLocator,
  ) {}

  /**
   * The prompt is rendered before anything is sent (a missing variable changes nothing),
   * then the start, then the rendered text as the conversation's first message.
   */
  @Route(R.startAttempt)
  async start(
    @RouteParams(R.startAttempt) p: ParamsOf<typeof R.startAttempt>,
    @RouteQuery(R.startAttempt) q: QueryOf<typeof R.startAttempt>,
    @RouteBody(R.startAttempt) body: BodyOf<typeof R.startAttempt>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const { promptValues, ...start } = body;
    const ctx = { actor, key };
    const taskId = p.id;
    const projectId = await this.locator.projectOf(taskId, q.minSeq);
    const prompt = start.promptVersionId
      ? await renderPrompt(this.queries, { promptVersionId: start.promptVersionId, taskId, values: promptValues }, q.minSeq, 'promptValues')
      : null;
    const attemptId = newId(ctx, 'attempt');
    const started = await this.commands.send(StartAttempt, { projectId, taskId, attemptId, ...start }, ctx, attemptId);
    this.locator.rememberAttempt(attemptId, { taskId, projectId });
    if (!prompt) return started;
    const message = { taskId, attemptId, role: 'user', kind: 'prompt', text: prompt.text, sessionId: null };
    const opened = await this.commands.send(AddAttemptMessage, message, { actor, key: subKey(ctx, 'prompt') }, attemptId);
    return combine(attemptId, [started, opened]);
  }

  @Route(R.listAttempts)
  async list(@RouteParams(R.listAttempts) p: ParamsOf<typeof R.listAttempts>, @RouteQuery(R.listAttempts) q: QueryOf<typeof R.listAttempts>): Promise<Page<AttemptView>> {
    const [, all] = await Promise.all([
      this.queries.ask('tasks', 'get_task', { id: p.id }, { minSeq: q.minSeq }),
      this.queries.ask<AttemptView[]>('tasks', 'list_attempts', { taskId: p.id }, { minSeq: q.minSeq }),
    ]);
    const matching = q.status ? all.filter((a) => a.status === q.status) : all;
    return { items: matching.slice(q.offset, q.offset + q.limit), total: matching.length, limit: q.limit, offset: q.offset };
  }

  @Route(R.getAttempt)
  get(@RouteParams(R.getAttempt) p: ParamsOf<typeof R.getAttempt>, @RouteQuery(R.getAttempt) q: QueryOf<typeof R.getAttempt>): Promise<AttemptView> {
    return this.queries.ask('tasks', 'get_attempt', { id: p.id }, { minSeq: q.minSeq });
  }

  /** The attempt is looked up first (decision 0003): the conversation aggregate accepts any attempt it has not seen closed. */
  @Route(R.addAttemptMessage)
  async addMessage(
    @RouteParams(R.addAttemptMessage) p: ParamsOf<typeof R.addAttemptMessage>,
    @RouteQuery(R.addAttemptMessage) q: QueryOf<typeof R.addAttemptMessage>,
    @RouteBody(R.addAttemptMessage) body: BodyOf<typeof R.addAttemptMessage>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const { taskId } = await this.locator.attempt(p.id, q.minSeq);
    const accepted = await this.commands.send(AddAttemptMessage, { taskId, attemptId: p.id, ...body }, { actor, key }, p.id);
    return { ...accepted, id: accepted.events[0]?.id ?? p.id };
  }

  @Route(R.listAttemptMessages)
  async messages(@RouteParams(R.listAttemptMessages) p: ParamsOf<typeof R.listAttemptMessages>, @RouteQuery(R.listAttemptMessages) q: QueryOf<typeof R.listAttemptMessages>) {
    await this.locator.attempt(p.id, q.minSeq);
    return this.queries.ask('tasks', 'list_attempt_messages', { attemptId: p.id, afterSeq: q.afterSeq, limit: q.limit }, { minSeq: q.minSeq });
  }

  @Route(R.finishAttempt)
  async finish(
    @RouteParams(R.finishAttempt) p: ParamsOf<typeof R.finishAttempt>,
    @RouteQuery(R.finishAttempt) q: QueryOf<typeof R.finishAttempt>,
    @RouteBody(R.finishAttempt) body: BodyOf<typeof R.finishAttempt>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const where = await this.locator.attempt(p.id, q.minSeq);
    return this.commands.send(FinishAttempt, { ...where, attemptId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.requestAttemptReview)
  async review(
    @RouteParams(R.requestAttemptReview) p: ParamsOf<typeof R.requestAttemptReview>,
    @RouteQuery(R.requestAttemptReview) q: QueryOf<typeof R.requestAttemptReview>,
    @RouteBody(R.requestAttemptReview) body: BodyOf<typeof R.requestAttemptReview>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const where = await this.locator.attempt(p.id, q.minSeq);
    return this.commands.send(RequestAttemptReview, { ...where, attemptId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.requestAttemptChanges)
  async changes(
    @RouteParams(R.requestAttemptChanges) p: ParamsOf<typeof R.requestAttemptChanges>,
    @RouteQuery(R.requestAttemptChanges) q: QueryOf<typeof R.requestAttemptChanges>,
    @RouteBody(R.requestAttemptChanges) body: BodyOf<typeof R.requestAttemptChanges>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const ctx = { actor, key };
    const where = await this.locator.attempt(p.id, q.minSeq);
    const comment = body?.comment?.trim();
    const requested = await this.commands.send(RequestAttemptChanges, { ...where, attemptId: p.id, ...(body ?? {}) }, ctx, p.id);
    if (!comment) return requested;
    const message = { taskId: where.taskId, attemptId: p.id, role: 'user', kind: 'review_comment', text: comment, sessionId: null };
    return combine(p.id, [requested, await this.commands.send(AddAttemptMessage, message, { actor, key: subKey(ctx, 'comment') }, p.id)]);
  }
}
