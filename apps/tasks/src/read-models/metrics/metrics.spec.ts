import { foldAfter } from '@baton/projections';
import { StartAttempt } from '@baton/events';
import { at, cancel, cmd, create, fail, finish, history, positioned, start } from '../../task-graph/__tests__/graph-fixtures';
import { attemptsProjection } from '../attempts/attempts.projection';
import type { AttemptRow } from '../attempts/attempt-row.entity';
import type { TaskRow } from '../tasks/task-row.entity';
import { tasksProjection } from '../tasks/tasks.projection';
import { percentile, projectMetrics, promptVersionMetrics } from './metrics';

const H = (h: number, m = 0) => `2026-01-01T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`;
const startWith = (taskId: string, attemptId: string, promptVersionId: string) =>
  cmd(StartAttempt, { projectId: 'p1', taskId, attemptId, promptVersionId });

function fold() {
  const events = positioned(
    history(
      at(H(0), create('epic')),
      ...['a', 'b', 'c', 'd', 'e'].map((id) => at(H(0), create(id, { parent: 'epic' }))),
      at(H(1), startWith('a', 'a1', 'v1')),
      at(H(2), finish('a', 'a1', 'abandoned')),
      at(H(3), startWith('a', 'a2', 'v2')),
      at(H(4), finish('a', 'a2', 'merged')),
      at(H(1), startWith('b', 'b1', 'v2')),
      at(H(2), finish('b', 'b1', 'merged')),
      at(H(5), start('c', 'c1')),
      at(H(6), fail('c')),
      at(H(6), cancel('d')),
      at(H(7), startWith('e', 'e1', 'v1')),
    ),
  );
  const tasks = new Map<string, TaskRow | null>();
  const attempts = new Map<string, AttemptRow | null>();
  foldAfter(tasksProjection, tasks, 0, events);
  foldAfter(attemptsProjection, attempts, 0, events);
  const rows = <R>(m: Map<string, R | null>) => [...m.values()].filter((r): r is R => r !== null);
  return { tasks: rows(tasks), attempts: rows(attempts) };
}

describe(projectMetrics.name, () => {
  it('counts by status, times to done (mean and p90), failure rate and attempts per task', () => {
    const { tasks } = fold();
    const m = projectMetrics(tasks);
    expect(m.tasksByStatus).toMatchObject({ done: 2, failed: 1, cancelled: 1, in_progress: 2, todo: 0 });
    expect(m.total).toBe(6);
    expect(m.workTasks).toBe(5);
    expect(m.timeToDone).toEqual({ count: 2, meanMs: 3 * 3_600_000, p90Ms: 4 * 3_600_000 });
    expect(m.startToDone).toEqual({ count: 2, meanMs: 2 * 3_600_000, p90Ms: 3 * 3_600_000 });
    expect(m.failureRate).toBeCloseTo(1 / 3);
    expect(m.attemptsPerTask).toBeCloseTo(5 / 4);
    expect(m.sessionsPerTask).toBeNull();
  });

  it('has nothing to average in an empty project', () => {
    expect(projectMetrics([])).toMatchObject({ total: 0, timeToDone: { count: 0, meanMs: null, p90Ms: null }, failureRate: null, attemptsPerTask: null });
  });

  it('uses the nearest-rank p90', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
  });
});

describe(promptVersionMetrics.name, () => {
  it('gives each prompt version its completion rate and attempts per task', () => {
    const { attempts } = fold();
    expect(promptVersionMetrics(attempts)).toEqual([
      { promptVersionId: 'v1', attempts: 2, finished: 1, merged: 0, completionRate: 0, tasks: 2, taskCompletionRate: 0, attemptsPerTask: 1 },
      { promptVersionId: 'v2', attempts: 2, finished: 2, merged: 2, completionRate: 1, tasks: 2, taskCompletionRate: 1, attemptsPerTask: 1 },
    ]);
  });
});
