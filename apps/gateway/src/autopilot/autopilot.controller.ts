import { Controller, Inject } from '@nestjs/common';
import {
  ConfigureAutopilot,
  ConfigureMergeTrain,
  DecomposeTask,
  MergeAttemptByAutopilot,
  PauseAutopilot,
  RecordTaskPlan,
  ResumeAutopilot,
  ReviewTaskPlan,
  type Actor,
} from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { AutopilotStatus, CommandAccepted, MergeTrainStatus } from '@baton/contracts';
import { AgentScope } from '../agents/agent-scope';
import { AgentRoute, CurrentActor, CurrentCaller } from '../auth/auth.decorators';
import type { Caller } from '../auth/principal';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { AutopilotRoutes as R } from '../openapi/routes/autopilot.routes';
import { TaskLocator } from '../tasks/task-locator';

/** Thin: the autopilot's decisions are the project aggregate's (apps/tasks/src/autopilot). */
@Controller()
export class AutopilotController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(TaskLocator) private readonly locator: TaskLocator,
    @Inject(AgentScope) private readonly scope: AgentScope,
  ) {}

  @Route(R.getAutopilot)
  status(@RouteParams(R.getAutopilot) p: ParamsOf<typeof R.getAutopilot>, @RouteQuery(R.getAutopilot) q: QueryOf<typeof R.getAutopilot>): Promise<AutopilotStatus> {
    return this.queries.ask('tasks', 'get_autopilot', { projectId: p.projectId }, { minSeq: q.minSeq });
  }

  @Route(R.getMergeTrain)
  mergeTrain(@RouteParams(R.getMergeTrain) p: ParamsOf<typeof R.getMergeTrain>, @RouteQuery(R.getMergeTrain) q: QueryOf<typeof R.getMergeTrain>): Promise<MergeTrainStatus> {
    return this.queries.ask('tasks', 'get_merge_train', { projectId: p.projectId }, { minSeq: q.minSeq });
  }

  @Route(R.configureMergeTrain)
  async configureMergeTrain(
    @RouteParams(R.configureMergeTrain) p: ParamsOf<typeof R.configureMergeTrain>,
    @RouteQuery(R.configureMergeTrain) q: QueryOf<typeof R.configureMergeTrain>,
    @RouteBody(R.configureMergeTrain) body: BodyOf<typeof R.configureMergeTrain>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.queries.ask('tasks', 'get_project', { id: p.projectId }, { minSeq: q.minSeq });
    return this.commands.send(ConfigureMergeTrain, { projectId: p.projectId, ...body }, { actor, key }, p.projectId);
  }

  @Route(R.configureAutopilot)
  async configure(
    @RouteParams(R.configureAutopilot) p: ParamsOf<typeof R.configureAutopilot>,
    @RouteQuery(R.configureAutopilot) q: QueryOf<typeof R.configureAutopilot>,
    @RouteBody(R.configureAutopilot) body: BodyOf<typeof R.configureAutopilot>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.queries.ask('tasks', 'get_project', { id: p.projectId }, { minSeq: q.minSeq });
    return this.commands.send(ConfigureAutopilot, { projectId: p.projectId, ...body }, { actor, key }, p.projectId);
  }

  @Route(R.pauseAutopilot)
  pause(
    @RouteParams(R.pauseAutopilot) p: ParamsOf<typeof R.pauseAutopilot>,
    @RouteQuery(R.pauseAutopilot) _q: QueryOf<typeof R.pauseAutopilot>,
    @RouteBody(R.pauseAutopilot) body: BodyOf<typeof R.pauseAutopilot>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(PauseAutopilot, { projectId: p.projectId, ...body }, { actor, key }, p.projectId);
  }

  @Route(R.resumeAutopilot)
  resume(
    @RouteParams(R.resumeAutopilot) p: ParamsOf<typeof R.resumeAutopilot>,
    @RouteQuery(R.resumeAutopilot) _q: QueryOf<typeof R.resumeAutopilot>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.commands.send(ResumeAutopilot, { projectId: p.projectId }, { actor, key }, p.projectId);
  }

  /** The answer's `id` is the planner session's. */
  @Route(R.decomposeTask)
  async decompose(
    @RouteParams(R.decomposeTask) p: ParamsOf<typeof R.decomposeTask>,
    @RouteQuery(R.decomposeTask) q: QueryOf<typeof R.decomposeTask>,
    @RouteBody(R.decomposeTask) body: BodyOf<typeof R.decomposeTask>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    const ctx = { actor, key };
    const sessionId = newId(ctx, 'planner');
    const data = { projectId, taskId: p.id, sessionId, depth: body?.depth ?? null, plannerTemplateId: body?.plannerTemplateId ?? null };
    return this.commands.send(DecomposeTask, data, ctx, sessionId);
  }

  @Route(R.recordPlan)
  @AgentRoute()
  async recordPlan(
    @RouteParams(R.recordPlan) p: ParamsOf<typeof R.recordPlan>,
    @RouteQuery(R.recordPlan) q: QueryOf<typeof R.recordPlan>,
    @RouteBody(R.recordPlan) body: BodyOf<typeof R.recordPlan>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    await this.scope.plan(caller, projectId, p.id, q.minSeq);
    const sessionId = caller.kind === 'agent' ? caller.sessionId : null;
    return this.commands.send(RecordTaskPlan, { projectId, taskId: p.id, ...body, sessionId }, { actor, key }, p.id);
  }

  @Route(R.reviewPlan)
  async reviewPlan(
    @RouteParams(R.reviewPlan) p: ParamsOf<typeof R.reviewPlan>,
    @RouteQuery(R.reviewPlan) q: QueryOf<typeof R.reviewPlan>,
    @RouteBody(R.reviewPlan) body: BodyOf<typeof R.reviewPlan>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    return this.commands.send(ReviewTaskPlan, { projectId, taskId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.mergeTaskByAutopilot)
  async merge(
    @RouteParams(R.mergeTaskByAutopilot) p: ParamsOf<typeof R.mergeTaskByAutopilot>,
    @RouteQuery(R.mergeTaskByAutopilot) q: QueryOf<typeof R.mergeTaskByAutopilot>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    return this.commands.send(MergeAttemptByAutopilot, { projectId, taskId: p.id, attemptId: null, auto: false }, { actor, key }, p.id);
  }
}
