import { foldAfter } from '@baton/projections';
import { EditTask } from '@baton/events';
import { cmd, create, fail, history, positioned, start } from '../../task-graph/__tests__/graph-fixtures';
import type { TaskRow } from '../tasks/task-row.entity';
import { tasksProjection } from '../tasks/tasks.projection';
import { taskBoard } from './task-board';

function rows() {
  const events = history(
    create('epic'),
    create('a', { parent: 'epic' }),
    create('b', { parent: 'epic' }),
    cmd(EditTask, { projectId: 'p1', taskId: 'b', priority: 0 }),
    create('c', { dependsOn: ['a'] }),
    create('d'),
    start('d'),
    fail('a'),
  );
  const map = new Map<string, TaskRow | null>();
  foldAfter(tasksProjection, map, 0, positioned(events));
  return [...map.values()].filter((r): r is TaskRow => r !== null);
}

describe(taskBoard.name, () => {
  it('puts work tasks in status columns, most urgent first', () => {
    const board = taskBoard(rows());
    const col = (s: string) => board.columns.find((c) => c.status === s)!.tasks.map((t) => t.id);
    expect(col('ready')).toEqual(['b']);
    expect(col('blocked')).toEqual(['c']);
    expect(col('in_progress')).toEqual(['d']);
    expect(col('failed')).toEqual(['a']);
    expect(board.columns.flatMap((c) => c.tasks).some((t) => t.id === 'epic')).toBe(false);
    expect(board.columns.find((c) => c.status === 'blocked')!.tasks[0].blockedBy).toEqual([{ taskId: 'a', condition: 'success', status: 'failed', via: null }]);
  });

  it('narrows to one subtree', () => {
    expect(taskBoard(rows(), { parentId: 'epic' }).columns.flatMap((c) => c.tasks.map((t) => t.id)).sort()).toEqual(['a', 'b']);
  });
});
