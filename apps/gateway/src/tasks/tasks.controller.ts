import { Controller, Inject } from '@nestjs/common';
import { CreateTask, EditTask, MoveTask, RemoveTask, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import type { CommandAccepted, Page, TaskBoard, TaskUnblocks, TaskView } from '@baton/contracts';
import { AgentScope } from '../agents/agent-scope';
import { AgentRoute, CurrentActor, CurrentCaller } from '../auth/auth.decorators';
import type { Caller } from '../auth/principal';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { TaskRoutes as R } from '../openapi/routes/tasks.routes';
import { TaskLocator } from './task-locator';

/** The task tree: create, read, edit, move, remove. Statuses and dependencies: task-workflow.controller.ts. */
@Controller()
export class TasksController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(TaskLocator) private readonly locator: TaskLocator,
    @Inject(AgentScope) private readonly scope: AgentScope,
  ) {}

  /** People, and planner agents (subtasks within their own task's subtree). */
  @Route(R.createTask)
  @AgentRoute()
  async create(
    @RouteParams(R.createTask) p: ParamsOf<typeof R.createTask>,
    @RouteBody(R.createTask) body: BodyOf<typeof R.createTask>,
    @CurrentCaller() caller: Caller,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.scope.plan(caller, p.projectId, body.parentId ?? null);
    const ctx = { actor, key };
    const taskId = newId(ctx, 'task');
    const accepted = await this.commands.send(CreateTask, { projectId: p.projectId, taskId, ...body }, ctx, taskId);
    this.locator.rememberTask(taskId, p.projectId);
    return accepted;
  }

  @Route(R.listTasks)
  async list(@RouteParams(R.listTasks) p: ParamsOf<typeof R.listTasks>, @RouteQuery(R.listTasks) q: QueryOf<typeof R.listTasks>): Promise<Page<TaskView>> {
    const { minSeq, parentId, ...filters } = q;
    const params = { projectId: p.projectId, ...filters, ...(parentId === undefined ? {} : { parentId: parentId === 'null' ? null : parentId }) };
    const [, page] = await Promise.all([
      this.queries.ask('tasks', 'get_project', { id: p.projectId }, { minSeq }),
      this.queries.ask<Page<TaskView>>('tasks', 'list_tasks', params, { minSeq }),
    ]);
    return page;
  }

  @Route(R.taskBoard)
  async board(@RouteParams(R.taskBoard) p: ParamsOf<typeof R.taskBoard>, @RouteQuery(R.taskBoard) q: QueryOf<typeof R.taskBoard>): Promise<TaskBoard> {
    const [, board] = await Promise.all([
      this.queries.ask('tasks', 'get_project', { id: p.projectId }, { minSeq: q.minSeq }),
      this.queries.ask<TaskBoard>('tasks', 'task_board', { projectId: p.projectId, ...(q.parentId ? { parentId: q.parentId } : {}) }, { minSeq: q.minSeq }),
    ]);
    return board;
  }

  @Route(R.getTask)
  get(@RouteParams(R.getTask) p: ParamsOf<typeof R.getTask>, @RouteQuery(R.getTask) q: QueryOf<typeof R.getTask>): Promise<TaskView> {
    return this.queries.ask('tasks', 'get_task', { id: p.id }, { minSeq: q.minSeq });
  }

  @Route(R.editTask)
  async edit(
    @RouteParams(R.editTask) p: ParamsOf<typeof R.editTask>,
    @RouteQuery(R.editTask) q: QueryOf<typeof R.editTask>,
    @RouteBody(R.editTask) body: BodyOf<typeof R.editTask>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    return this.commands.send(EditTask, { projectId, taskId: p.id, ...body }, { actor, key }, p.id);
  }

  @Route(R.moveTask)
  async move(
    @RouteParams(R.moveTask) p: ParamsOf<typeof R.moveTask>,
    @RouteQuery(R.moveTask) q: QueryOf<typeof R.moveTask>,
    @RouteBody(R.moveTask) body: BodyOf<typeof R.moveTask>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    return this.commands.send(MoveTask, { projectId, taskId: p.id, parentId: body.parentId }, { actor, key }, p.id);
  }

  @Route(R.removeTask)
  async remove(
    @RouteParams(R.removeTask) p: ParamsOf<typeof R.removeTask>,
    @RouteQuery(R.removeTask) q: QueryOf<typeof R.removeTask>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    const projectId = await this.locator.projectOf(p.id, q.minSeq);
    return this.commands.send(RemoveTask, { projectId, taskId: p.id }, { actor, key }, p.id);
  }

  @Route(R.taskUnblocks)
  unblocks(@RouteParams(R.taskUnblocks) p: ParamsOf<typeof R.taskUnblocks>, @RouteQuery(R.taskUnblocks) q: QueryOf<typeof R.taskUnblocks>): Promise<TaskUnblocks> {
    return this.queries.ask('tasks', 'task_unblocks', { id: p.id, as: q.as }, { minSeq: q.minSeq });
  }

  /** Markdown built by the tasks service from the task's events (project subject + task subject). */
  @Route(R.taskHistory)
  async history(@RouteParams(R.taskHistory) p: ParamsOf<typeof R.taskHistory>, @RouteQuery(R.taskHistory) q: QueryOf<typeof R.taskHistory>): Promise<string> {
    const { markdown } = await this.queries.ask<{ markdown: string }>('tasks', 'task_history', { id: p.id }, { minSeq: q.minSeq });
    return markdown;
  }
}
