import { planTreeImport, TaskTreeSchema, type ExportedTask, type TaskTree } from './task-tree';

const task = (ref: string, extra: Partial<ExportedTask> = {}): ExportedTask => ({
  ref,
  title: `task ${ref}`,
  description: '',
  acceptanceCriteria: [],
  priority: 2,
  labels: [],
  executionMode: 'interactive',
  dependsOn: [],
  children: [],
  ...extra,
});
const tree = (...tasks: ExportedTask[]): TaskTree => TaskTreeSchema.parse({ format: 'baton.task-tree', version: 1, tasks });
const plan = (t: TaskTree, parentId: string | null = null) => planTreeImport(t, { projectId: 'p1', parentId, idFor: (ref) => `id-${ref}` });

describe(planTreeImport.name, () => {
  it('creates in pre-order with backward dependencies, then adds the forward ones', () => {
    const sut = plan(
      tree(task('a', { children: [task('b', { dependsOn: [{ ref: 'd', condition: 'success' }] })] }), task('c', { dependsOn: [{ ref: 'b', condition: 'any' }] }), task('d')),
      'host',
    );
    if (!sut.ok) throw new Error(JSON.stringify(sut.issues));
    expect(sut.refs).toEqual(['a', 'b', 'c', 'd']);
    expect(sut.commands.map((c) => [c.type, c.data.taskId])).toEqual([
      ['task.create', 'id-a'],
      ['task.create', 'id-b'],
      ['task.create', 'id-c'],
      ['task.create', 'id-d'],
      ['task.add_dependency', 'id-b'],
    ]);
    expect(sut.commands[0].data).toMatchObject({ projectId: 'p1', parentId: 'host', dependsOn: [] });
    expect(sut.commands[1].data).toMatchObject({ parentId: 'id-a', dependsOn: [] });
    expect(sut.commands[2].data).toMatchObject({ parentId: 'host', dependsOn: [{ taskId: 'id-b', condition: 'any' }] });
    expect(sut.commands[4].data).toMatchObject({ dependsOnTaskId: 'id-d', condition: 'success' });
  });

  it.each([
    ['a ref used twice', tree(task('a'), task('a')), 'tasks[1].ref', /used twice/],
    ['an unknown dependency', tree(task('a', { dependsOn: [{ ref: 'x', condition: 'success' }] })), 'tasks[0].dependsOn[0].ref', /unknown ref "x"/],
    ['a self dependency', tree(task('a', { dependsOn: [{ ref: 'a', condition: 'success' }] })), 'tasks[0].dependsOn[0].ref', /itself/],
    [
      'a dependency cycle',
      tree(task('a', { dependsOn: [{ ref: 'b', condition: 'success' }] }), task('b', { dependsOn: [{ ref: 'a', condition: 'failure' }] })),
      'tasks[0]',
      /a → b → a \(a depends on b; b depends on a\)/,
    ],
    ['a subtask waiting on its parent', tree(task('p', { children: [task('c', { dependsOn: [{ ref: 'p', condition: 'any' }] })] })), 'tasks[0]', /p → c → p \(p has subtask c; c depends on p\)/],
    ['a parent waiting on its subtask', tree(task('p', { dependsOn: [{ ref: 'c', condition: 'success' }], children: [task('c')] })), 'tasks[0].children[0]', /c → c \(c inherits p's dependency on c\)/],
    [
      'a subtask inheriting a wait on its sibling that waits on it',
      tree(task('p', { dependsOn: [{ ref: 's', condition: 'success' }], children: [task('c')] }), task('s', { dependsOn: [{ ref: 'c', condition: 'success' }] })),
      'tasks[1]',
      /s → c → s \(s depends on c; c inherits p's dependency on s\)/,
    ],
  ])('refuses %s, naming the path', (_label, doc, path, message) => {
    const sut = plan(doc);
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.issues.map((i) => i.path)).toContain(path);
    expect(sut.issues.map((i) => i.message).join('\n')).toMatch(message);
  });
});
