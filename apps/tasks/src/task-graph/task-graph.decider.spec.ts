import {
  EditTask,
  ProjectArchived,
  RemoveTask,
  TaskAdded,
  TaskDependencyAdded,
  TaskDependencyRemoved,
  TaskDetailsChanged,
  TaskMoved,
  TaskRemoved,
  TaskStatusChanged,
  isDomainError,
  registry,
} from '@baton/events';
import { deciderSpec, recorded } from '@baton/testing';
import { cmd, complete, create, depend, history, move, P, start, statusOf, undepend } from './__tests__/graph-fixtures';
import { projectAggregateDecider } from './project-aggregate.decider';

const details = { title: 'Task a', description: '', acceptanceCriteria: [], priority: 2, labels: [], executionMode: 'interactive' as const };

describe('task graph: structure', () => {
  const sut = deciderSpec(projectAggregateDecider);

  it('adds a task without dependencies and makes it ready in the same decision', () => {
    sut
      .given(history())
      .when(create('a'))
      .then([
        TaskAdded({ taskId: 'a', number: 1, parentId: null, dependsOn: [], ...details }),
        TaskStatusChanged({ taskId: 'a', from: 'todo', to: 'ready', cause: 'dependencies_met' }),
      ]);
  });

  it('numbers tasks per project and never reuses a number', () => {
    const events = sut.given(history(create('a'), create('b'), cmd(RemoveTask, { projectId: 'p1', taskId: 'b' }))).when(create('c')).thenEvents();
    expect(events[0]).toMatchObject({ type: 'project.task_added', data: { number: 3 } });
  });

  it('refuses a task id that exists, a missing parent, a missing or repeated dependency, and itself as dependency', () => {
    const given = history(create('a'));
    sut.given(given).when(create('a')).thenThrows('conflict', /already exists/);
    sut.given(given).when(create('b', { parent: 'zz' })).thenThrows('not_found', /zz does not exist/);
    sut.given(given).when(create('b', { dependsOn: ['zz'] })).thenThrows('not_found', /zz/);
    sut.given(given).when(create('b', { dependsOn: ['a', 'a'] })).thenThrows('validation', /listed twice/);
    sut.given(given).when(create('b', { dependsOn: ['b'] })).thenThrows('validation', /itself/);
  });

  it('refuses work in a project that does not exist or is archived', () => {
    sut.given([]).when(create('a')).thenThrows('not_found', /project p1/);
    sut.given([...history(), recorded(P, ProjectArchived({}))]).when(create('a')).thenThrows('invalid_state', /archived/);
  });

  it('refuses unknown fields in a command (strict schemas)', () => {
    const raw = { id: 'k', type: 'task.create', actor: { kind: 'user', id: 'u' }, correlationId: 'k', issuedAt: '2026-01-01T00:00:00.000Z' };
    expect(() => registry.decodeCommand({ ...raw, data: { projectId: 'p1', taskId: 'a', title: 'A', owner: 'x' } })).toThrow(/invalid data/);
    expect(() => registry.decodeCommand({ ...raw, data: { projectId: 'p1', taskId: 'a', title: 'x'.repeat(201) } })).toThrow(/invalid data/);
  });

  it('edits only what changed; an edit that changes nothing records nothing', () => {
    const given = history(create('a'));
    sut
      .given(given)
      .when(cmd(EditTask, { projectId: 'p1', taskId: 'a', title: 'Task a', labels: ['api'] }))
      .then([TaskDetailsChanged({ taskId: 'a', labels: ['api'] })]);
    sut.given(given).when(cmd(EditTask, { projectId: 'p1', taskId: 'a', title: 'Task a' })).then([]);
    expect(() => EditTask.schema.parse({ projectId: 'p1', taskId: 'a' })).toThrow(/at least one/);
  });

  it('moves a subtree under another parent; both parents roll up in the same decision', () => {
    const given = history(create('p'), create('q'), create('a', { parent: 'p' }), create('a1', { parent: 'a' }), create('b', { parent: 'p' }), complete('b'), complete('q'));
    expect([statusOf(given, 'p'), statusOf(given, 'q')]).toEqual(['in_progress', 'done']);
    sut
      .given(given)
      .when(move('a', 'q'))
      .then([
        TaskMoved({ taskId: 'a', fromParentId: 'p', toParentId: 'q' }),
        TaskStatusChanged({ taskId: 'p', from: 'in_progress', to: 'done', cause: 'rolled_up' }),
        TaskStatusChanged({ taskId: 'q', from: 'done', to: 'ready', cause: 'rolled_up' }),
      ]);
  });

  it('moving to the same parent records nothing; a root can be made from a child', () => {
    const given = history(create('p'), create('a', { parent: 'p' }));
    sut.given(given).when(move('a', 'p')).then([]);
    expect(sut.given(given).when(move('a', null)).thenEvents()[0]).toEqual(TaskMoved({ taskId: 'a', fromParentId: 'p', toParentId: null }));
  });

  it('refuses to move a task under its own subtree, naming the path', () => {
    const given = history(create('a'), create('b', { parent: 'a' }), create('c', { parent: 'b' }));
    sut.given(given).when(move('a', 'c')).thenThrows('conflict', /#3 "Task c" → #2 "Task b" → #1 "Task a" → #3 "Task c"/);
    sut.given(given).when(move('a', 'a')).thenThrows('conflict', /own subtree/);
  });

  it('refuses a move that would make a subtree wait on itself through an inherited dependency', () => {
    // x depends on a; moving x under a makes a's status roll up from x, which waits on a.
    const given = history(create('a'), create('x', { dependsOn: ['a'] }));
    sut.given(given).when(move('x', 'a')).thenThrows('conflict', /cycle: #1 "Task a" → #2 "Task x" → #1 "Task a"/);
  });

  it('adds and removes dependencies; changing a condition replaces the edge', () => {
    const given = history(create('a'), create('b'));
    const added = sut.given(given).when(depend('b', 'a')).thenEvents();
    expect(added).toEqual([
      TaskDependencyAdded({ taskId: 'b', dependsOnTaskId: 'a', condition: 'success' }),
      TaskStatusChanged({ taskId: 'b', from: 'ready', to: 'todo', cause: 'dependencies_pending' }),
    ]);
    const withDep = history(create('a'), create('b'), depend('b', 'a'));
    sut.given(withDep).when(depend('b', 'a')).then([]);
    expect(sut.given(withDep).when(depend('b', 'a', 'any')).thenEvents().slice(0, 2)).toEqual([
      TaskDependencyRemoved({ taskId: 'b', dependsOnTaskId: 'a' }),
      TaskDependencyAdded({ taskId: 'b', dependsOnTaskId: 'a', condition: 'any' }),
    ]);
    sut
      .given(withDep)
      .when(undepend('b', 'a'))
      .then([TaskDependencyRemoved({ taskId: 'b', dependsOnTaskId: 'a' }), TaskStatusChanged({ taskId: 'b', from: 'todo', to: 'ready', cause: 'dependencies_met' })]);
    sut.given(withDep).when(undepend('a', 'b')).thenThrows('not_found', /does not depend/);
  });

  describe('cycles', () => {
    it('refuses a direct cycle with its path', () => {
      sut.given(history(create('a'), create('b', { dependsOn: ['a'] }))).when(depend('a', 'b')).thenThrows('conflict', /#1 "Task a" → #2 "Task b" → #1 "Task a"/);
    });

    it('refuses a long cycle and puts the path in the details', () => {
      const given = history(create('a'), create('b', { dependsOn: ['a'] }), create('c', { dependsOn: ['b'] }), create('d', { dependsOn: ['c'] }));
      sut.given(given).when(depend('a', 'd')).thenThrows('conflict', /"Task a" depends on #4 "Task d"; #4 "Task d" depends on #3 "Task c"/);
      let details: Record<string, unknown> = {};
      try {
        projectAggregateDecider.decide(depend('a', 'd'), sut.given(given).state);
      } catch (e) {
        details = isDomainError(e) ? e.details : {};
      }
      expect(details.path).toEqual(['a', 'd', 'c', 'b', 'a']);
    });

    it('refuses a dependency on an own ancestor or descendant (the subtree would wait on itself)', () => {
      const given = history(create('p'), create('c', { parent: 'p' }));
      sut.given(given).when(depend('c', 'p')).thenThrows('conflict', /depends on #1 "Task p".*has subtask/);
      sut.given(given).when(depend('p', 'c')).thenThrows('conflict', /inherits #1 "Task p"'s dependency on #2 "Task c"/);
    });

    it('refuses a cycle through a parent: x depends on epic p, and a subtask of p depends on x', () => {
      const given = history(create('p'), create('c', { parent: 'p' }), create('x', { dependsOn: ['p'] }));
      sut.given(given).when(depend('c', 'x')).thenThrows('conflict', /cycle/);
      sut.given(given).when(create('c2', { parent: 'p', dependsOn: ['x'] })).thenThrows('conflict', /cycle/);
    });

    it('accepts a diamond (not a cycle)', () => {
      const given = history(create('a'), create('b', { dependsOn: ['a'] }), create('c', { dependsOn: ['a'] }));
      expect(sut.given(given).when(create('d', { dependsOn: ['b', 'c'] })).thenEvents()[0].type).toBe('project.task_added');
    });
  });

  describe('remove', () => {
    it('removes a subtree children first, with its dependency edges, and the parent rolls up', () => {
      const given = history(create('p'), create('a', { parent: 'p' }), create('b', { parent: 'p' }), create('z'), depend('b', 'z'), start('a'));
      const events = sut.given(given).when(cmd(RemoveTask, { projectId: 'p1', taskId: 'b' })).thenEvents();
      expect(events).toEqual([
        TaskDependencyRemoved({ taskId: 'b', dependsOnTaskId: 'z' }),
        TaskRemoved({ taskId: 'b', parentId: 'p' }),
      ]);
      const all = sut.given(history(create('p'), create('a', { parent: 'p' }), create('a1', { parent: 'a' }))).when(cmd(RemoveTask, { projectId: 'p1', taskId: 'p' })).thenEvents();
      expect(all.map((e) => (e.data as { taskId: string }).taskId)).toEqual(['a1', 'a', 'p']);
    });

    it('refuses while a task outside the subtree depends on it, or an attempt is active', () => {
      sut.given(history(create('a'), create('b', { dependsOn: ['a'] }))).when(cmd(RemoveTask, { projectId: 'p1', taskId: 'a' })).thenThrows('conflict', /#2 "Task b" depend/);
      sut.given(history(create('a'), start('a'))).when(cmd(RemoveTask, { projectId: 'p1', taskId: 'a' })).thenThrows('conflict', /att_a/);
    });
  });

});
