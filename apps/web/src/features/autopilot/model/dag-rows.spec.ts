import { dagRows } from './dag-rows';

const task = (taskId: string, parentId: string | null = null) => ({
  taskId,
  number: 1,
  title: taskId,
  status: 'todo' as const,
  parentId,
  dependsOn: [],
  waitingOn: [],
  attempts: 0,
  activeAttemptId: null,
  failures: 0,
  gaveUp: false,
  hold: null,
  heldBy: null,
  planning: false,
});

describe('dagRows', () => {
  it('lists parents before their children with their depth, keeping the given order among siblings', () => {
    const rows = dagRows([task('b', 'g'), task('g'), task('a', 'g'), task('x', 'b'), task('lone')]);
    expect(rows.map((r) => [r.task.taskId, r.depth])).toEqual([
      ['g', 0],
      ['b', 1],
      ['x', 2],
      ['a', 1],
      ['lone', 0],
    ]);
  });

  it('treats a task whose parent is unknown as a root', () => {
    expect(dagRows([task('orphan', 'gone')]).map((r) => r.depth)).toEqual([0]);
  });
});
