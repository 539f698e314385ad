import { Controller, Inject } from '@nestjs/common';
import { AddTaskDependency, CancelTask, CompleteTask, FailTask, RemoveTaskDependency, ReopenTask, type Actor, type CommandDefinition } from '@baton/events';
import type { CommandAccepted } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { CommandSender } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { TaskRoutes as R } from '../openapi/routes/tasks.routes';
import { TaskLocator } from './task-locator';

type Reason = BodyOf<typeof R.completeTask>;

/** Dependencies and the statuses people set. Consequences (ready, blocked, roll-ups) are the tasks service's. */
@Controller()
export class TaskWorkflowController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(TaskLocator) private readonly locator: TaskLocator,
  ) {}

  @Route(R.addTaskDependency)
  addDependency(
    @RouteParams(R.addTaskDependency) p: ParamsOf<typeof R.addTaskDependency>,
    @RouteQuery(R.addTaskDependency) q: QueryOf<typeof R.addTaskDependency>,
    @RouteBody(R.addTaskDependency) body: BodyOf<typeof R.addTaskDependency>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(AddTaskDependency, p.id, q.minSeq, body, { actor, key });
  }

  @Route(R.removeTaskDependency)
  removeDependency(
    @RouteParams(R.removeTaskDependency) p: ParamsOf<typeof R.removeTaskDependency>,
    @RouteQuery(R.removeTaskDependency) q: QueryOf<typeof R.removeTaskDependency>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(RemoveTaskDependency, p.id, q.minSeq, { dependsOnTaskId: p.dependsOnId }, { actor, key });
  }

  @Route(R.completeTask)
  complete(
    @RouteParams(R.completeTask) p: ParamsOf<typeof R.completeTask>,
    @RouteQuery(R.completeTask) q: QueryOf<typeof R.completeTask>,
    @RouteBody(R.completeTask) body: Reason,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(CompleteTask, p.id, q.minSeq, body ?? {}, { actor, key });
  }

  @Route(R.failTask)
  fail(
    @RouteParams(R.failTask) p: ParamsOf<typeof R.failTask>,
    @RouteQuery(R.failTask) q: QueryOf<typeof R.failTask>,
    @RouteBody(R.failTask) body: BodyOf<typeof R.failTask>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(FailTask, p.id, q.minSeq, body, { actor, key });
  }

  @Route(R.cancelTask)
  cancel(
    @RouteParams(R.cancelTask) p: ParamsOf<typeof R.cancelTask>,
    @RouteQuery(R.cancelTask) q: QueryOf<typeof R.cancelTask>,
    @RouteBody(R.cancelTask) body: Reason,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(CancelTask, p.id, q.minSeq, body ?? {}, { actor, key });
  }

  @Route(R.reopenTask)
  reopen(
    @RouteParams(R.reopenTask) p: ParamsOf<typeof R.reopenTask>,
    @RouteQuery(R.reopenTask) q: QueryOf<typeof R.reopenTask>,
    @RouteBody(R.reopenTask) body: Reason,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    return this.send(ReopenTask, p.id, q.minSeq, body ?? {}, { actor, key });
  }

  private async send(def: CommandDefinition, taskId: string, minSeq: number, data: object, ctx: { actor: Actor; key?: string }): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(taskId, minSeq);
    return this.commands.send(def, { projectId, taskId, ...data }, ctx, taskId);
  }
}
