import type { LiveEventMessage, TaskView } from '@baton/contracts';

export type TaskStatus = TaskView['status'];
export type TaskMap = Readonly<Record<string, TaskView>>;

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  todo: 'Todo',
  ready: 'Ready',
  in_progress: 'In progress',
  in_review: 'In review',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  blocked: 'Blocked',
};

/** The board's columns, in the order work flows. */
export const BOARD_COLUMNS: TaskStatus[] = ['todo', 'ready', 'blocked', 'in_progress', 'in_review', 'done', 'failed', 'cancelled'];

export const FINISHED: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'cancelled']);

export function toTaskMap(tasks: readonly TaskView[]): TaskMap {
  return Object.fromEntries(tasks.map((t) => [t.id, t]));
}

/** Most urgent first (P0), then by number: the order the API's board uses. */
export function compareTasks(a: TaskView, b: TaskView): number {
  return a.priority - b.priority || a.number - b.number;
}

const patch = (m: TaskMap, id: string, f: (t: TaskView) => TaskView): TaskMap => {
  const t = m[id];
  if (!t) return m;
  const next = f(t);
  return next === t ? m : { ...m, [id]: next };
};

/**
 * Applies one live event to the tasks of a project. Only the facts an event states are
 * applied (a status, a dependency, a title); what the tasks service derives from them
 * arrives as its own events, and the screen reconciles with a fresh read shortly after.
 * Every case is idempotent: an event applied twice leaves the same state.
 */
export function applyTaskEvent(m: TaskMap, msg: LiveEventMessage, projectId: string): TaskMap {
  const e = msg.event;
  if (e.aggregate.type !== 'project' || e.aggregate.id !== projectId) return m;
  switch (e.type) {
    case 'project.task_added': {
      const d = e.data;
      if (m[d.taskId]) return m;
      const task: TaskView = {
        id: d.taskId,
        projectId,
        number: d.number,
        parentId: d.parentId,
        title: d.title,
        description: d.description,
        acceptanceCriteria: d.acceptanceCriteria,
        priority: d.priority,
        labels: d.labels,
        executionMode: d.executionMode,
        status: 'todo',
        blockedBy: null,
        dependsOn: d.dependsOn,
        dependants: [],
        childCount: 0,
        activeAttemptId: null,
        attemptCount: 0,
        sessionCount: 0,
        messageCount: 0,
        createdAt: e.occurredAt,
        updatedAt: e.occurredAt,
        startedAt: null,
        doneAt: null,
        finishedAt: null,
      };
      let next: TaskMap = { ...m, [task.id]: task };
      for (const dep of d.dependsOn) next = patch(next, dep.taskId, (t) => (t.dependants.includes(task.id) ? t : { ...t, dependants: [...t.dependants, task.id] }));
      if (d.parentId) next = patch(next, d.parentId, (t) => ({ ...t, childCount: t.childCount + 1 }));
      return next;
    }
    case 'project.task_details_changed': {
      const { taskId, ...changes } = e.data;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<TaskView>;
      return patch(m, taskId, (t) => ({ ...t, ...defined, updatedAt: e.occurredAt }));
    }
    case 'project.task_moved': {
      const { taskId, fromParentId, toParentId } = e.data;
      if (m[taskId]?.parentId === toParentId) return m;
      let next = patch(m, taskId, (t) => ({ ...t, parentId: toParentId }));
      if (fromParentId) next = patch(next, fromParentId, (t) => ({ ...t, childCount: Math.max(0, t.childCount - 1) }));
      if (toParentId) next = patch(next, toParentId, (t) => ({ ...t, childCount: t.childCount + 1 }));
      return next;
    }
    case 'project.task_dependency_added': {
      const { taskId, dependsOnTaskId, condition } = e.data;
      let next = patch(m, taskId, (t) =>
        t.dependsOn.some((x) => x.taskId === dependsOnTaskId) ? t : { ...t, dependsOn: [...t.dependsOn, { taskId: dependsOnTaskId, condition }] },
      );
      next = patch(next, dependsOnTaskId, (t) => (t.dependants.includes(taskId) ? t : { ...t, dependants: [...t.dependants, taskId] }));
      return next;
    }
    case 'project.task_dependency_removed': {
      const { taskId, dependsOnTaskId } = e.data;
      let next = patch(m, taskId, (t) => (t.dependsOn.some((x) => x.taskId === dependsOnTaskId) ? { ...t, dependsOn: t.dependsOn.filter((x) => x.taskId !== dependsOnTaskId) } : t));
      next = patch(next, dependsOnTaskId, (t) => (t.dependants.includes(taskId) ? { ...t, dependants: t.dependants.filter((x) => x !== taskId) } : t));
      return next;
    }
    case 'project.task_status_changed': {
      const { taskId, to } = e.data;
      return patch(m, taskId, (t) =>
        t.status === to && t.blockedBy === null
          ? t
          : {
              ...t,
              status: to,
              blockedBy: null,
              updatedAt: e.occurredAt,
              startedAt: t.startedAt ?? (to === 'in_progress' ? e.occurredAt : null),
              doneAt: to === 'done' ? e.occurredAt : t.doneAt,
              finishedAt: FINISHED.has(to) ? e.occurredAt : to === 'todo' || to === 'ready' ? null : t.finishedAt,
            },
      );
    }
    case 'project.task_blocked': {
      const { taskId, blockedBy } = e.data;
      return patch(m, taskId, (t) => ({ ...t, status: 'blocked', blockedBy, updatedAt: e.occurredAt }));
    }
    case 'project.task_removed': {
      const { taskId, parentId } = e.data;
      if (!m[taskId]) return m;
      const next: Record<string, TaskView> = { ...m };
      delete next[taskId];
      for (const [id, t] of Object.entries(next)) {
        if (t.dependants.includes(taskId) || t.dependsOn.some((d) => d.taskId === taskId)) {
          next[id] = { ...t, dependants: t.dependants.filter((x) => x !== taskId), dependsOn: t.dependsOn.filter((d) => d.taskId !== taskId) };
        }
      }
      if (parentId && next[parentId]) next[parentId] = { ...next[parentId], childCount: Math.max(0, next[parentId].childCount - 1) };
      return next;
    }
    case 'project.task_attempt_started': {
      const { taskId, attemptId, number } = e.data;
      return patch(m, taskId, (t) => (t.activeAttemptId === attemptId ? t : { ...t, activeAttemptId: attemptId, attemptCount: Math.max(t.attemptCount, number) }));
    }
    case 'project.task_attempt_finished': {
      const { taskId, attemptId } = e.data;
      return patch(m, taskId, (t) => (t.activeAttemptId === attemptId ? { ...t, activeAttemptId: null } : t));
    }
    default:
      return m;
  }
}

/**
 * Events after which the service derives more than the events that follow say: a move or a
 * removal carries a subtree, a dependency change re-evaluates readiness, attempts change
 * counts no event names. Status changes, blocks and new tasks arrive complete.
 */
const RECONCILE = new Set([
  'project.task_moved',
  'project.task_removed',
  'project.task_dependency_added',
  'project.task_dependency_removed',
  'project.task_attempt_started',
  'project.task_attempt_finished',
]);
export function taskEventNeedsReconcile(msg: LiveEventMessage): boolean {
  return RECONCILE.has(msg.event.type);
}

/** Leaf tasks (the board shows work, not the parents that roll it up), by column, most urgent first. */
export function boardColumns(m: TaskMap): Record<TaskStatus, TaskView[]> {
  const cols = Object.fromEntries(BOARD_COLUMNS.map((s) => [s, [] as TaskView[]])) as Record<TaskStatus, TaskView[]>;
  for (const t of Object.values(m)) if (t.childCount === 0) cols[t.status].push(t);
  for (const s of BOARD_COLUMNS) cols[s].sort(compareTasks);
  return cols;
}

export type StatusMove =
  | { kind: 'none' }
  | { kind: 'command'; verb: 'complete' | 'fail' | 'cancel' | 'reopen'; needsReason: boolean; label: string }
  | { kind: 'refused'; message: string };

/**
 * What dropping a card on a column asks of the API. Only four transitions are commands
 * (complete, fail, cancel, reopen); the others are Baton's to decide (readiness from
 * dependencies, progress from attempts, review from the review loop), so they are refused
 * here with the reason, before anything is sent.
 */
export function planStatusMove(task: Pick<TaskView, 'status' | 'activeAttemptId' | 'childCount' | 'number'>, to: TaskStatus): StatusMove {
  const from = task.status;
  if (from === to) return { kind: 'none' };
  const label = `#${task.number}`;
  if (task.childCount > 0) return { kind: 'refused', message: `${label} has subtasks: its status rolls up from them.` };
  switch (to) {
    case 'done':
      if (task.activeAttemptId) return { kind: 'refused', message: `${label} has an active attempt: merge or abandon it in review first.` };
      return { kind: 'command', verb: 'complete', needsReason: false, label: `Mark ${label} done` };
    case 'failed':
      if (from === 'done' || from === 'cancelled') return { kind: 'refused', message: `${label} is ${from}: reopen it before failing it.` };
      return { kind: 'command', verb: 'fail', needsReason: true, label: `Fail ${label}` };
    case 'cancelled':
      if (from === 'done') return { kind: 'refused', message: `${label} is done: reopen it before cancelling it.` };
      return { kind: 'command', verb: 'cancel', needsReason: false, label: `Cancel ${label}` };
    case 'todo':
    case 'ready':
      if (FINISHED.has(from)) return { kind: 'command', verb: 'reopen', needsReason: false, label: `Reopen ${label}` };
      return { kind: 'refused', message: `${label} is ${from.replace('_', ' ')}: Baton makes a task ready when its dependencies are met.` };
    case 'in_progress':
      return { kind: 'refused', message: `Start an attempt (a session) on ${label} to put it in progress.` };
    case 'in_review':
      return { kind: 'refused', message: `${label} goes to review when its attempt asks for review.` };
    case 'blocked':
      return { kind: 'refused', message: `A task is blocked by Baton when a dependency can no longer meet its condition.` };
  }
}

/** Whether one dependency has met its condition, given the status of the task it names. */
export function conditionMet(condition: 'success' | 'any' | 'failure', status: TaskStatus | undefined): boolean {
  if (!status) return true; // removed: no longer waits
  switch (condition) {
    case 'success':
      return status === 'done';
    case 'failure':
      return status === 'failed';
    case 'any':
      return FINISHED.has(status);
  }
}

/** The tasks that would become ready if `id` finished as `as`: dependants whose other dependencies are all met. */
export function wouldUnblock(m: TaskMap, id: string, as: 'done' | 'failed' = 'done'): TaskView[] {
  const me = m[id];
  if (!me) return [];
  return me.dependants
    .map((d) => m[d])
    .filter((d): d is TaskView => !!d && (d.status === 'todo' || d.status === 'ready'))
    .filter((d) => d.dependsOn.every((dep) => conditionMet(dep.condition, dep.taskId === id ? as : m[dep.taskId]?.status)))
    .sort(compareTasks);
}

export interface TreeRow {
  task: TaskView;
  depth: number;
  hasChildren: boolean;
}

/** The tree in display order (roots and siblings by number), skipping the children of collapsed tasks. */
export function treeRows(m: TaskMap, collapsed: ReadonlySet<string>): TreeRow[] {
  const children = new Map<string | null, TaskView[]>();
  for (const t of Object.values(m)) {
    const parent = t.parentId && m[t.parentId] ? t.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(t);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.number - b.number);
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const t of children.get(parent) ?? []) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      const kids = children.get(t.id) ?? [];
      rows.push({ task: t, depth, hasChildren: kids.length > 0 });
      if (kids.length && !collapsed.has(t.id)) walk(t.id, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

/** Of a parent's leaves, how many are finished: the roll-up a tree row shows. */
export function rollup(m: TaskMap, id: string): { done: number; total: number } {
  let done = 0;
  let total = 0;
  const kids = new Map<string, string[]>();
  for (const t of Object.values(m)) if (t.parentId) kids.set(t.parentId, [...(kids.get(t.parentId) ?? []), t.id]);
  const walk = (x: string, guard: Set<string>) => {
    if (guard.has(x)) return;
    guard.add(x);
    const c = kids.get(x);
    if (!c?.length) {
      total++;
      if (m[x]?.status === 'done') done++;
      return;
    }
    c.forEach((k) => walk(k, guard));
  };
  (kids.get(id) ?? []).forEach((k) => walk(k, new Set()));
  return { done, total };
}
