import { Controller, Inject } from '@nestjs/common';
import { AnswerSessionPermission, FollowUpInAttempt, SendSessionInput, SpawnSession, SpawnSessionInAttempt, StopSession, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, Page, SessionView } from '@baton/contracts';
import { AgentScope } from '../agents/agent-scope';
import { AgentRoute, CurrentActor, CurrentCaller } from '../auth/auth.decorators';
import type { Caller } from '../auth/principal';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { SessionRoutes as R } from '../openapi/routes/sessions.routes';
import { Memberships } from '../membership/memberships';
import { SessionRequests } from './session-requests';

/** Starting sessions, finding them, talking to them, stopping them (the sessions service decides). */
@Controller()
export class SessionsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(SessionRequests) private readonly requests: SessionRequests,
    @Inject(AgentScope) private readonly scope: AgentScope,
    @Inject(Memberships) private readonly memberships: Memberships,
  ) {}

  @Route(R.spawnSession)
  async spawn(
    @RouteParams(R.spawnSession) p: ParamsOf<typeof R.spawnSession>,
    @RouteQuery(R.spawnSession) q: QueryOf<typeof R.spawnSession>,
    @RouteBody(R.spawnSession) body: BodyOf<typeof R.spawnSession>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = p.id;
    await this.requests.activeProject(projectId, q.minSeq);
    const [template] = await Promise.all([
      this.requests.template(body.templateId, projectId, q.minSeq),
      this.requests.tasksOf(projectId, body.taskIds, q.minSeq),
      this.requests.parentIn(projectId, body.parentSessionId, q.minSeq),
    ]);
    const ctx = { actor, key };
    const sessionId = newId(ctx, 'session');
    return this.commands.send(SpawnSession, { ...body, sessionId, projectId, template, origin: { kind: 'manual' } }, ctx, sessionId);
  }

  /** Decided by the attempt's seat: a second session while one runs is a 409 naming it. */
  @Route(R.spawnSessionInAttempt)
  async spawnInAttempt(
    @RouteParams(R.spawnSessionInAttempt) p: ParamsOf<typeof R.spawnSessionInAttempt>,
    @RouteQuery(R.spawnSessionInAttempt) q: QueryOf<typeof R.spawnSessionInAttempt>,
    @RouteBody(R.spawnSessionInAttempt) body: BodyOf<typeof R.spawnSessionInAttempt>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const attempt = await this.requests.openAttempt(p.id, q.minSeq);
    const [template] = await Promise.all([
      this.requests.template(body.templateId, attempt.projectId, q.minSeq),
      this.requests.parentIn(attempt.projectId, body.parentSessionId, q.minSeq),
    ]);
    const ctx = { actor, key };
    const sessionId = newId(ctx, 'session');
    const data = { ...body, sessionId, projectId: attempt.projectId, attemptId: attempt.id, taskId: attempt.taskId, template, origin: { kind: 'attempt' } };
    return this.commands.send(SpawnSessionInAttempt, data, ctx, sessionId);
  }

  @Route(R.followUpAttempt)
  async followUp(
    @RouteParams(R.followUpAttempt) p: ParamsOf<typeof R.followUpAttempt>,
    @RouteQuery(R.followUpAttempt) q: QueryOf<typeof R.followUpAttempt>,
    @RouteBody(R.followUpAttempt) body: BodyOf<typeof R.followUpAttempt>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ) {
    const attempt = await this.requests.openAttempt(p.id, q.minSeq);
    const ctx = { actor, key };
    const { text, templateId, ...rest } = body;
    // When no session runs: the named template, or else one like the attempt's last session.
    const newSessionId = newId(ctx, 'session');
    let newSession = null;
    if (templateId) {
      const template = await this.requests.template(templateId, attempt.projectId, q.minSeq);
      newSession = { ...rest, sessionId: newSessionId, projectId: attempt.projectId, templateId, template, origin: { kind: 'follow_up' } };
    }
    const likeLast = templateId ? null : { sessionId: newSessionId };
    const accepted = await this.commands.send(FollowUpInAttempt, { attemptId: attempt.id, taskId: attempt.taskId, text, newSession, likeLast }, ctx, attempt.id);
    const started = accepted.events.some((e) => e.type === 'session.attempt_seat_claimed');
    const sessionId = started ? newSessionId : await this.runningIn(attempt.id, accepted.seq);
    return { ...accepted, id: sessionId ?? attempt.id, sessionId, started };
  }

  @Route(R.listSessions)
  @AgentRoute()
  async list(@RouteQuery(R.listSessions) q: QueryOf<typeof R.listSessions>, @CurrentCaller() caller: Caller): Promise<Page<SessionView>> {
    if (caller.kind === 'agent' && q.parentSessionId !== caller.sessionId) {
      this.scope.userOnly(caller, `list sessions other than its own workers (pass parentSessionId=${caller.sessionId})`);
    }
    const { minSeq, parentSessionId, ...filters } = q;
    const params = { ...filters, ...(parentSessionId === undefined ? {} : { parentSessionId: parentSessionId === 'null' ? null : parentSessionId }) };
    // A user who is not an admin sees its projects' sessions only (a projectId was checked by the guard).
    const visible = caller.kind === 'user' && !q.projectId ? await this.memberships.visibleProjects(caller) : 'all';
    if (visible !== 'all' && visible.length === 0) return { items: [], total: 0, limit: q.limit, offset: q.offset };
    return this.queries.ask('sessions', 'list_sessions', visible === 'all' ? params : { ...params, projectIds: visible }, { minSeq });
  }

  @Route(R.getSession)
  @AgentRoute()
  async get(@RouteParams(R.getSession) p: ParamsOf<typeof R.getSession>, @RouteQuery(R.getSession) q: QueryOf<typeof R.getSession>, @CurrentCaller() caller: Caller): Promise<SessionView> {
    return (await this.scope.session(caller, 'session.read', p.id, q.minSeq)) ?? this.queries.ask<SessionView>('sessions', 'get_session', { id: p.id }, { minSeq: q.minSeq });
  }

  @Route(R.stopSession)
  @AgentRoute()
  async stop(
    @RouteParams(R.stopSession) p: ParamsOf<typeof R.stopSession>,
    @RouteQuery(R.stopSession) q: QueryOf<typeof R.stopSession>,
    @RouteBody(R.stopSession) body: BodyOf<typeof R.stopSession>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.scope.session(caller, 'session.stop', p.id, q.minSeq);
    return this.commands.send(StopSession, { sessionId: p.id, ...(body ?? {}) }, { actor, key }, p.id);
  }

  /** From an agent, the text comes from its session (`fromSessionId`): one agent talking to another. */
  @Route(R.sendSessionInput)
  @AgentRoute()
  async input(
    @RouteParams(R.sendSessionInput) p: ParamsOf<typeof R.sendSessionInput>,
    @RouteQuery(R.sendSessionInput) q: QueryOf<typeof R.sendSessionInput>,
    @RouteBody(R.sendSessionInput) body: BodyOf<typeof R.sendSessionInput>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.scope.session(caller, 'session.send_input', p.id, q.minSeq);
    const fromSessionId = caller.kind === 'agent' ? caller.sessionId : null;
    return this.commands.send(SendSessionInput, { sessionId: p.id, ...body, fromSessionId }, { actor, key }, p.id);
  }

  @Route(R.answerSessionPermission)
  async answerPermission(
    @RouteParams(R.answerSessionPermission) p: ParamsOf<typeof R.answerSessionPermission>,
    @RouteQuery(R.answerSessionPermission) q: QueryOf<typeof R.answerSessionPermission>,
    @RouteBody(R.answerSessionPermission) body: BodyOf<typeof R.answerSessionPermission>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.scope.session(caller, 'session.send_input', p.id, q.minSeq);
    return this.commands.send(AnswerSessionPermission, { sessionId: p.id, decision: body.decision }, { actor, key }, p.id);
  }

  private async runningIn(attemptId: string, minSeq: number): Promise<string | null> {
    const page = await this.queries.ask<Page<SessionView>>('sessions', 'list_sessions', { attemptId, live: true, limit: 1 }, { minSeq }).catch(() => null);
    return page?.items[0]?.id ?? null;
  }
}
