import { Controller, Inject } from '@nestjs/common';
import { AddTaskDependency, CreateTask, type Actor } from '@baton/events';
import { QueryClient } from '@baton/event-store';
import { planTreeImport, type CommandAccepted, type ImportAccepted, type TaskTree } from '@baton/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { combine, CommandSender, newId, subKey } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { TransferRoutes as R } from '../openapi/routes/transfer.routes';
import { TaskLocator } from '../tasks/task-locator';

/** A project's plan out as JSON and back in (docs/decisions/0004). */
@Controller()
export class TransferController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
    @Inject(TaskLocator) private readonly locator: TaskLocator,
  ) {}

  @Route(R.exportTaskTree)
  async export(@RouteParams(R.exportTaskTree) p: ParamsOf<typeof R.exportTaskTree>, @RouteQuery(R.exportTaskTree) q: QueryOf<typeof R.exportTaskTree>): Promise<TaskTree> {
    const [, tree] = await Promise.all([
      this.queries.ask('tasks', 'get_project', { id: p.id }, { minSeq: q.minSeq }),
      this.queries.ask<TaskTree>('tasks', 'export_task_tree', { projectId: p.id }, { minSeq: q.minSeq }),
    ]);
    return tree;
  }

  /**
   * The whole document is checked before the first command (400 naming the path). The
   * commands go one by one; under an Idempotency-Key, ids and command ids derive from it,
   * so a retry after a failure midway completes the import instead of duplicating it.
   */
  @Route(R.importTaskTree)
  async import(
    @RouteParams(R.importTaskTree) p: ParamsOf<typeof R.importTaskTree>,
    @RouteQuery(R.importTaskTree) q: QueryOf<typeof R.importTaskTree>,
    @RouteBody(R.importTaskTree) tree: BodyOf<typeof R.importTaskTree>,
    @CurrentActor() actor: Actor,
    @IdemKey() key?: string,
  ): Promise<ImportAccepted> {
    const ctx = { actor, key };
    const ids = new Map<string, string>();
    const idFor = (ref: string) => ids.get(ref) ?? ids.set(ref, newId(ctx, `import:${p.id}:${ref}`)).get(ref)!;
    const plan = planTreeImport(tree, { projectId: p.id, parentId: q.parentId ?? null, idFor });
    if (!plan.ok) throw ApiError.validation(plan.issues);
    // A write does not wait on the read model: the first command answers 404 for a missing project.
    if (!plan.commands.length) await this.queries.ask('tasks', 'get_project', { id: p.id }, { minSeq: q.minSeq });

    const parts: CommandAccepted[] = [];
    for (const [i, command] of plan.commands.entries()) {
      const sub = { actor, key: subKey(ctx, `import-${i}`) };
      try {
        parts.push(
          command.type === 'task.create'
            ? await this.commands.send(CreateTask, command.data, sub, command.data.taskId)
            : await this.commands.send(AddTaskDependency, command.data, sub, command.data.taskId),
        );
      } catch (e) {
        throw midway(e, i, plan.commands.length);
      }
      if (command.type === 'task.create') this.locator.rememberTask(command.data.taskId, p.id);
    }
    const tasks = plan.refs.map((ref) => ({ ref, id: idFor(ref) }));
    if (!parts.length) return { id: p.id, commandId: '', seq: 0, events: [], tasks, commands: 0 };
    return { ...combine(p.id, parts), tasks, commands: parts.length };
  }
}

/** A refusal after some commands were accepted says how far the import got. */
function midway(e: unknown, sent: number, of: number): unknown {
  if (!(e instanceof ApiError) || sent === 0) return e;
  const { error } = e.getResponse() as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return new ApiError(e.getStatus(), error.code, `${error.message} (after ${sent} of ${of} import commands; resend with the same Idempotency-Key to complete it)`, {
    details: { ...error.details, sent, of },
  });
}
