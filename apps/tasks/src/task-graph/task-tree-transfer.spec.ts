import { AddTaskDependency, CreateTask, EditTask, RemoveTask, isDomainError } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { tasksProjection } from '../read-models/tasks/tasks.projection';
import type { TaskRow } from '../read-models/tasks/task-row.entity';
import { cmd, create, depend, history, move, positioned } from './__tests__/graph-fixtures';
import { exportTree, importCommands, type TaskTree } from './task-tree-transfer';

function rowsOf(events: ReturnType<typeof history>): TaskRow[] {
  const rows = new Map<string, TaskRow | null>();
  foldAfter(tasksProjection, rows, 0, positioned(events));
  return [...rows.values()].filter((r): r is TaskRow => r !== null);
}

/** A project whose numbers are not in tree order: tasks were removed, moved and wired both ways. */
function project() {
  return history(
    create('api', { title: 'API' }),
    create('gone'),
    create('web', { title: 'Web — façade' }),
    create('auth', { parent: 'api', title: 'Auth' }),
    create('login', { parent: 'web', title: 'Login page', dependsOn: ['auth'] }),
    create('docs', { title: 'Docs', dependsOn: [['api', 'any'], ['web', 'success']] }),
    create('tokens', { parent: 'auth', title: 'Tokens' }),
    create('rollback', { title: 'Rollback plan' }),
    depend('rollback', 'web', 'failure'),
    move('rollback', 'api'),
    cmd(RemoveTask, { projectId: 'p1', taskId: 'gone' }),
    cmd(EditTask, {
      projectId: 'p1',
      taskId: 'login',
      description: 'Use the **OAuth** flow.\nNo `$(shell)` here.',
      acceptanceCriteria: ['redirects back', 'remembers provider'],
      priority: 0,
      labels: ['web', 'auth'],
      executionMode: 'autonomous',
    }),
  );
}

function runImport(doc: unknown): TaskRow[] {
  const commands = importCommands(doc, { projectId: 'p1', idFor: (ref) => `imp-${ref}` });
  return rowsOf(history(...commands.map((c) => (c.type === 'task.create' ? cmd(CreateTask, c.data) : cmd(AddTaskDependency, c.data)))));
}

describe(exportTree.name, () => {
  it('writes the tree in order with local refs, details and conditions', () => {
    const doc = exportTree(rowsOf(project()));
    expect(doc.tasks.map((t) => [t.ref, t.title, t.children.map((c) => c.title)])).toEqual([
      ['t1', 'API', ['Auth', 'Rollback plan']],
      ['t5', 'Web — façade', ['Login page']],
      ['t7', 'Docs', []],
    ]);
    expect(doc.tasks[0].children[0]).toMatchObject({ ref: 't2', dependsOn: [], children: [{ ref: 't3', title: 'Tokens' }] });
    expect(doc.tasks[0].children[1]).toMatchObject({ ref: 't4', dependsOn: [{ ref: 't5', condition: 'failure' }] });
    expect(doc.tasks[1].children[0]).toMatchObject({
      ref: 't6',
      dependsOn: [{ ref: 't2', condition: 'success' }],
      description: 'Use the **OAuth** flow.\nNo `$(shell)` here.',
      acceptanceCriteria: ['redirects back', 'remembers provider'],
      priority: 0,
      labels: ['web', 'auth'],
      executionMode: 'autonomous',
    });
    expect(doc.tasks[2].dependsOn).toEqual([{ ref: 't1', condition: 'any' }, { ref: 't5', condition: 'success' }]);
  });
});

describe(importCommands.name, () => {
  it('import(export(x)) == x, through JSON, the real decider and the read model', () => {
    const x = exportTree(rowsOf(project()));
    const again = exportTree(runImport(JSON.parse(JSON.stringify(x))));
    expect(again).toEqual(x);
    expect(exportTree(runImport(again))).toEqual(x);
  });

  it('creates parents first and wires forward dependencies after every task exists', () => {
    const commands = importCommands(exportTree(rowsOf(project())), { projectId: 'p9', idFor: (r) => `n-${r}` });
    expect(commands.map((c) => c.type)).toEqual([...Array(7).fill('task.create'), 'task.add_dependency']);
    expect(commands[7].data).toEqual({ projectId: 'p9', taskId: 'n-t4', dependsOnTaskId: 'n-t5', condition: 'failure' });
    expect(commands[1].data).toMatchObject({ taskId: 'n-t2', parentId: 'n-t1', projectId: 'p9' });
  });

  it('imports under an existing task when asked', () => {
    const [first] = importCommands(exportTree(rowsOf(project())), { projectId: 'p1', parentId: 'host', idFor: (r) => r });
    expect(first.data).toMatchObject({ parentId: 'host' });
  });

  const task = (ref: string, o: Partial<TaskTree['tasks'][number]> = {}) => ({
    ref,
    title: ref,
    description: '',
    acceptanceCriteria: [],
    priority: 2,
    labels: [],
    executionMode: 'interactive' as const,
    dependsOn: [],
    children: [],
    ...o,
  });
  const doc = (...tasks: unknown[]) => ({ format: 'baton.task-tree', version: 1, tasks });
  const refusal = (d: unknown) => {
    try {
      importCommands(d, { projectId: 'p1', idFor: (r) => r });
    } catch (e) {
      return isDomainError(e) ? [e.code, e.message] : [String(e)];
    }
    return ['accepted'];
  };

  it.each([
    ['an unknown field', doc({ ...task('a'), owner: 'x' }), /tasks\[0\]\.owner unknown field/],
    ['a duplicated ref', doc(task('a'), task('b', { children: [task('a')] })), /"a" is used twice/],
    ['an unknown dependency', doc(task('a', { dependsOn: [{ ref: 'zz', condition: 'success' }] })), /unknown ref "zz"/],
    ['a cycle', doc(task('a', { dependsOn: [{ ref: 'b', condition: 'success' }] }), task('b', { dependsOn: [{ ref: 'a', condition: 'any' }] })), /cycle: a → b → a/],
    ['a subtask that its parent depends on', doc(task('p', { dependsOn: [{ ref: 'c', condition: 'success' }], children: [task('c')] })), /cycle/],
    ['another format', { format: 'trello', tasks: [] }, /not a task tree/],
  ])('refuses %s as validation, sending nothing', (_label, d, message) => {
    const [code, text] = refusal(d);
    expect(code).toBe('validation');
    expect(text).toMatch(message);
  });
});
