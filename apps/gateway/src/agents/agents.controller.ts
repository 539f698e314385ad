import { Controller, Inject } from '@nestjs/common';
import {
  QueueComplete,
  QueueFail,
  QueueNext,
  QueueSkip,
  RegisterSession,
  ReportSession,
  ReportSessionStatus,
  ReportSessionUsage,
  SpawnSession,
  type Actor,
  type CommandDefinition,
} from '@baton/events';
import type { AgentSelf, CommandAccepted } from '@baton/contracts';
import { AgentRoute, CurrentActor, CurrentCaller } from '../auth/auth.decorators';
import type { Caller } from '../auth/principal';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { AgentRoutes as R } from '../openapi/routes/sessions.routes';
import { SessionRequests } from '../sessions/session-requests';
import { AgentScope } from './agent-scope';

/**
 * What an agent says about its own session (`baton register|report|queue|spawn`). Operators
 * may send the same for any session; an agent only for its own (`canAgent`), and the
 * session's decider still has the last word (e.g. a report on an ended session is 422).
 */
@Controller()
export class AgentsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(AgentScope) private readonly scope: AgentScope,
    @Inject(SessionRequests) private readonly requests: SessionRequests,
  ) {}

  @Route(R.agentSelf)
  @AgentRoute()
  self(@CurrentCaller() caller: Caller): AgentSelf {
    if (caller.kind !== 'agent') throw this.notAnAgent();
    const { canSpawnWorkers, issuedAt, expiresAt, ...claims } = caller.claims;
    return { ...claims, canSpawnWorkers, issuedAt, expiresAt };
  }

  @Route(R.registerSession)
  @AgentRoute()
  register(
    @RouteParams(R.registerSession) p: ParamsOf<typeof R.registerSession>,
    @RouteBody(R.registerSession) body: BodyOf<typeof R.registerSession>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.register', p.id);
    return this.send(RegisterSession, { sessionId: p.id, ...(body ?? {}) }, actor, key, p.id);
  }

  @Route(R.reportSessionStatus)
  @AgentRoute()
  status(
    @RouteParams(R.reportSessionStatus) p: ParamsOf<typeof R.reportSessionStatus>,
    @RouteBody(R.reportSessionStatus) body: BodyOf<typeof R.reportSessionStatus>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.report_status', p.id);
    return this.send(ReportSessionStatus, { sessionId: p.id, ...body }, actor, key, p.id);
  }

  @Route(R.reportSessionTimeline)
  @AgentRoute()
  report(
    @RouteParams(R.reportSessionTimeline) p: ParamsOf<typeof R.reportSessionTimeline>,
    @RouteBody(R.reportSessionTimeline) body: BodyOf<typeof R.reportSessionTimeline>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.report', p.id, body.taskId);
    return this.send(ReportSession, { sessionId: p.id, ...body }, actor, key, p.id);
  }

  @Route(R.reportSessionUsage)
  @AgentRoute({ afterEnd: true })
  usage(
    @RouteParams(R.reportSessionUsage) p: ParamsOf<typeof R.reportSessionUsage>,
    @RouteBody(R.reportSessionUsage) body: BodyOf<typeof R.reportSessionUsage>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.report_usage', p.id);
    return this.send(ReportSessionUsage, { sessionId: p.id, ...body }, actor, key, p.id);
  }

  @Route(R.queueNext)
  @AgentRoute()
  next(@RouteParams(R.queueNext) p: ParamsOf<typeof R.queueNext>, @CurrentCaller() caller: Caller, @CurrentActor() actor: Actor, @IdemKey() key?: string): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.queue', p.id);
    return this.send(QueueNext, { sessionId: p.id }, actor, key, p.id);
  }

  @Route(R.queueComplete)
  @AgentRoute()
  complete(
    @RouteParams(R.queueComplete) p: ParamsOf<typeof R.queueComplete>,
    @RouteBody(R.queueComplete) body: BodyOf<typeof R.queueComplete>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.queue', p.id, body?.taskId);
    return this.send(QueueComplete, { sessionId: p.id, ...(body ?? {}) }, actor, key, p.id);
  }

  @Route(R.queueFail)
  @AgentRoute()
  fail(
    @RouteParams(R.queueFail) p: ParamsOf<typeof R.queueFail>,
    @RouteBody(R.queueFail) body: BodyOf<typeof R.queueFail>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.queue', p.id, body.taskId);
    return this.send(QueueFail, { sessionId: p.id, ...body }, actor, key, p.id);
  }

  @Route(R.queueSkip)
  @AgentRoute()
  skip(
    @RouteParams(R.queueSkip) p: ParamsOf<typeof R.queueSkip>,
    @RouteBody(R.queueSkip) body: BodyOf<typeof R.queueSkip>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    this.scope.own(caller, 'session.queue', p.id, body?.taskId);
    return this.send(QueueSkip, { sessionId: p.id, ...(body ?? {}) }, actor, key, p.id);
  }

  /** A worker runs in its parent's project; an agent may start one only if its role allows, and while its session lives. */
  @Route(R.spawnWorker)
  @AgentRoute()
  async spawnWorker(
    @RouteParams(R.spawnWorker) p: ParamsOf<typeof R.spawnWorker>,
    @RouteQuery(R.spawnWorker) q: QueryOf<typeof R.spawnWorker>,
    @RouteBody(R.spawnWorker) body: BodyOf<typeof R.spawnWorker>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const parentSessionId = p.id;
    if (caller.kind === 'agent') {
      this.scope.check(caller, 'session.spawn_worker', { projectId: caller.claims.projectId, parentSessionId, role: 'worker', taskIds: body.taskIds });
      await this.scope.requireLive(caller, q.minSeq);
    }
    const parent = await this.requests.sessionLive(parentSessionId, q.minSeq);
    const projectId = parent.projectId;
    const [template] = await Promise.all([this.requests.template(body.templateId, projectId, q.minSeq), this.requests.tasksOf(projectId, body.taskIds, q.minSeq)]);
    const ctx = { actor, key };
    const sessionId = newId(ctx, 'worker');
    const data = { ...body, sessionId, projectId, template, role: 'worker', parentSessionId, origin: { kind: 'worker' } };
    return this.commands.send(SpawnSession, data, ctx, sessionId);
  }

  private send(def: CommandDefinition, data: unknown, actor: Actor, key: string | undefined, sessionId: string): Promise<CommandAccepted> {
    return this.commands.send(def, data, { actor, key }, sessionId);
  }

  private notAnAgent() {
    return this.scope.forbidden('this is for session tokens (agents); you are signed in as a user');
  }
}
