import { TASK_STATUSES, type TaskStatus } from '@baton/events';
import type { AttemptRow } from '../attempts/attempt-row.entity';
import type { TaskRow } from '../tasks/task-row.entity';

export interface Durations {
  count: number;
  meanMs: number | null;
  p90Ms: number | null;
}

export interface ProjectMetrics {
  /** Every task, parents included: what the board shows. */
  tasksByStatus: Record<TaskStatus, number>;
  total: number;
  /** The rest counts work: tasks without subtasks (a parent's status is a roll-up, not work). */
  workTasks: number;
  /** Creation to done. */
  timeToDone: Durations;
  /** First start to done. */
  startToDone: Durations;
  /** failed / (done + failed). */
  failureRate: number | null;
  /** Over work tasks that had at least one attempt (resp. session). */
  attemptsPerTask: number | null;
  sessionsPerTask: number | null;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function durations(values: number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanMs: sorted.length ? Math.round(sorted.reduce((s, v) => s + v, 0) / sorted.length) : null,
    p90Ms: percentile(sorted, 90),
  };
}

const ms = (from: string, to: string) => Date.parse(to) - Date.parse(from);
const ratio = (a: number, b: number) => (b ? a / b : null);

export function projectMetrics(tasks: readonly TaskRow[]): ProjectMetrics {
  const tasksByStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of tasks) tasksByStatus[t.status]++;
  const work = tasks.filter((t) => t.childCount === 0);
  const done = work.filter((t) => t.status === 'done' && t.doneAt);
  const failed = work.filter((t) => t.status === 'failed').length;
  const attempted = work.filter((t) => t.attemptCount > 0);
  const withSessions = work.filter((t) => t.sessionCount > 0);
  return {
    tasksByStatus,
    total: tasks.length,
    workTasks: work.length,
    timeToDone: durations(done.map((t) => ms(t.createdAt, t.doneAt!))),
    startToDone: durations(done.filter((t) => t.startedAt).map((t) => ms(t.startedAt!, t.doneAt!))),
    failureRate: ratio(failed, done.length + failed),
    attemptsPerTask: ratio(attempted.reduce((s, t) => s + t.attemptCount, 0), attempted.length),
    sessionsPerTask: ratio(withSessions.reduce((s, t) => s + t.sessionCount, 0), withSessions.length),
  };
}

export interface PromptVersionMetrics {
  promptVersionId: string;
  attempts: number;
  finished: number;
  merged: number;
  /** merged / finished attempts. */
  completionRate: number | null;
  tasks: number;
  /** Tasks this version got merged / tasks it was tried on. */
  taskCompletionRate: number | null;
  attemptsPerTask: number;
}

/** Which prompt versions get work merged, and how many tries they need. */
export function promptVersionMetrics(attempts: readonly AttemptRow[]): PromptVersionMetrics[] {
  const byVersion = new Map<string, AttemptRow[]>();
  for (const a of attempts) {
    if (!a.promptVersionId) continue;
    byVersion.set(a.promptVersionId, [...(byVersion.get(a.promptVersionId) ?? []), a]);
  }
  return [...byVersion.entries()]
    .map(([promptVersionId, list]) => {
      const finished = list.filter((a) => a.status !== 'active' && a.status !== 'in_review');
      const merged = list.filter((a) => a.status === 'merged');
      const tasks = new Set(list.map((a) => a.taskId));
      const tasksMerged = new Set(merged.map((a) => a.taskId));
      return {
        promptVersionId,
        attempts: list.length,
        finished: finished.length,
        merged: merged.length,
        completionRate: ratio(merged.length, finished.length),
        tasks: tasks.size,
        taskCompletionRate: ratio(tasksMerged.size, tasks.size),
        attemptsPerTask: list.length / tasks.size,
      };
    })
    .sort((a, b) => a.promptVersionId.localeCompare(b.promptVersionId));
}
