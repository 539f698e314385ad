import { z } from 'zod';
import { In, IsNull } from 'typeorm';
import { DomainError, IdSchema, TaskStatusSchema, type DomainEvent } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { wouldUnblock } from '../../task-graph/graph';
import { exportTree } from '../../task-graph/task-tree-transfer';
import { taskHistoryMarkdown } from '../../task-graph/task-history';
import { TaskRowEntity, type TaskRow } from './task-row.entity';

/** What the API shows of a task: the row without its bookkeeping columns. */
export function taskView(row: TaskRow) {
  const { eventCount: _e, lastSeq: _s, ...view } = row;
  return view;
}
export type TaskView = ReturnType<typeof taskView>;

export function taskQueries(read: ReadSide) {
  const repo = () => read.db.getRepository(TaskRowEntity);
  const mustGet = async (id: string) => {
    const row = await repo().findOneBy({ id });
    if (!row) throw new DomainError('not_found', `task ${id} does not exist`, { taskId: id });
    return row;
  };
  return {
    /** A task's whole story as Markdown, read from the log (graph and conversation subjects). */
    task_history: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const task = await mustGet(id);
      const [graph, conversations] = await Promise.all([read.store.load({ type: 'project', id: task.projectId }), read.store.load({ type: 'task', id })]);
      const events = [...graph.events, ...conversations.events].sort((a, b) => a.position.seq - b.position.seq);
      return { taskId: id, markdown: taskHistoryMarkdown(id, events as DomainEvent[]) };
    }),
    get_task: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      return taskView(await mustGet(id));
    }),
    list_tasks: defineQuery(
      z.object({
        projectId: IdSchema,
        status: TaskStatusSchema.optional(),
        /** null: root tasks only; absent: every task. */
        parentId: IdSchema.nullable().optional(),
        limit: z.number().int().min(1).max(1_000).default(200),
        offset: z.number().int().min(0).default(0),
      }),
      async ({ projectId, status, parentId, limit, offset }, { minSeq }) => {
        await read.waitFor(minSeq);
        const where = {
          projectId,
          ...(status ? { status } : {}),
          ...(parentId === null ? { parentId: IsNull() } : parentId ? { parentId } : {}),
        };
        const [rows, total] = await repo().findAndCount({ where, order: { number: 'ASC' }, take: limit, skip: offset });
        return { items: rows.map(taskView), total, limit, offset };
      },
    ),
    /** What finishing this task would make ready (as `done`, or as `failed` for failure-conditioned dependants). */
    task_unblocks: defineQuery(z.object({ id: IdSchema, as: z.enum(['done', 'failed']).default('done') }), async ({ id, as }, { minSeq }) => {
      await read.waitFor(minSeq);
      const task = await mustGet(id);
      const rows = await repo().findBy({ projectId: task.projectId });
      const ids = wouldUnblock(new Map(rows.map((r) => [r.id, r])), id, as);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return { taskId: id, as, tasks: ids.map((t) => ({ id: t, number: byId.get(t)!.number, title: byId.get(t)!.title })) };
    }),
    export_task_tree: defineQuery(z.object({ projectId: IdSchema }), async ({ projectId }, { minSeq }) => {
      await read.waitFor(minSeq);
      return exportTree(await repo().findBy({ projectId }));
    }),
    get_tasks: defineQuery(z.object({ ids: z.array(IdSchema).min(1).max(500) }), async ({ ids }, { minSeq }) => {
      await read.waitFor(minSeq);
      return (await repo().findBy({ id: In(ids) })).map(taskView);
    }),
  };
}
