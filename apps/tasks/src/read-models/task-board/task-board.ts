import type { TaskStatus } from '@baton/events';
import type { TaskRow } from '../tasks/task-row.entity';

/** Left to right: waiting, working, finished. */
export const BOARD_COLUMNS: readonly TaskStatus[] = ['todo', 'ready', 'blocked', 'in_progress', 'in_review', 'done', 'failed', 'cancelled'];

export function taskCard(row: TaskRow) {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    priority: row.priority,
    labels: row.labels,
    executionMode: row.executionMode,
    parentId: row.parentId,
    childCount: row.childCount,
    activeAttemptId: row.activeAttemptId,
    attemptCount: row.attemptCount,
    blockedBy: row.blockedBy,
    dependsOn: row.dependsOn,
    dependants: row.dependants,
    updatedAt: row.updatedAt,
  };
}
export type TaskCard = ReturnType<typeof taskCard>;

/**
 * A kanban of work: tasks without subtasks (a parent shows as the roll-up of its own
 * column), most urgent first, then by number. `parentId` narrows it to one subtree.
 */
export function taskBoard(rows: readonly TaskRow[], opts: { parentId?: string } = {}) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inside = (r: TaskRow) => {
    if (opts.parentId === undefined) return true;
    for (let p = r.parentId; p !== null; p = byId.get(p)?.parentId ?? null) if (p === opts.parentId) return true;
    return false;
  };
  const cards = rows.filter((r) => r.childCount === 0 && inside(r)).sort((a, b) => a.priority - b.priority || a.number - b.number);
  return { columns: BOARD_COLUMNS.map((status) => ({ status, tasks: cards.filter((c) => c.status === status).map(taskCard) })) };
}
