import { TaskBlocked, TaskStatusChanged } from '@baton/events';
import { deciderSpec, recorded } from '@baton/testing';
import { cancel, complete, create, fail, history, P, reopen, start, statusChanges, statusOf } from './__tests__/graph-fixtures';
import { projectAggregateDecider, type ProjectAggregateCommand, type ProjectAggregateEvent } from './project-aggregate.decider';

/** Applies one more command to a history, returning the longer history. */
function then(given: ProjectAggregateEvent[], c: ProjectAggregateCommand): ProjectAggregateEvent[] {
  const state = given.reduce(projectAggregateDecider.evolve, projectAggregateDecider.initialState());
  return [...given, ...projectAggregateDecider.decide(c, state).map((e) => recorded(P, e) as ProjectAggregateEvent)];
}

describe('task graph: readiness (AND over all dependencies)', () => {
  const sut = deciderSpec(projectAggregateDecider);

  describe('success', () => {
    const given = history(create('a'), create('b'), create('c', { dependsOn: ['a', 'b'] }));

    it('waits while any dependency is unfinished', () => {
      expect(statusOf(given, 'c')).toBe('todo');
      expect(statusChanges(sut.given(given).when(complete('a')).thenEvents())).toEqual({ a: 'done' });
    });

    it('becomes ready in the decision that finishes the last dependency', () => {
      sut
        .given(then(given, complete('a')))
        .when(complete('b'))
        .then([
          TaskStatusChanged({ taskId: 'b', from: 'ready', to: 'done', cause: 'marked_done' }),
          TaskStatusChanged({ taskId: 'c', from: 'todo', to: 'ready', cause: 'dependencies_met' }),
        ]);
    });

    it('is blocked, with the cause, when a dependency fails, even if the others are done', () => {
      sut
        .given(then(given, complete('b')))
        .when(fail('a', 'tests are red'))
        .then([
          TaskStatusChanged({ taskId: 'a', from: 'ready', to: 'failed', cause: 'marked_failed', reason: 'tests are red' }),
          TaskBlocked({ taskId: 'c', from: 'todo', blockedBy: [{ taskId: 'a', condition: 'success', status: 'failed', via: null }] }),
        ]);
    });

    it('records new causes while it stays blocked, and the ones left when a cause goes away', () => {
      const one = then(given, fail('a'));
      const blockedBy = (...ids: string[]) => ids.map((taskId) => ({ taskId, condition: 'success' as const, status: 'failed' as const, via: null }));
      const two = then(one, fail('b'));
      expect(two.slice(one.length).map((e) => e.data)).toContainEqual({ taskId: 'c', from: 'blocked', blockedBy: blockedBy('a', 'b') });
      sut
        .given(two)
        .when(reopen('a'))
        .then([
          TaskStatusChanged({ taskId: 'a', from: 'failed', to: 'ready', cause: 'reopened' }),
          TaskBlocked({ taskId: 'c', from: 'blocked', blockedBy: blockedBy('b') }),
        ]);
      expect(statusChanges(sut.given(two).when(cancel('c')).thenEvents())).toEqual({ c: 'cancelled' });
    });

    it('is blocked when a dependency is cancelled', () => {
      expect(statusChanges(sut.given(given).when(cancel('a')).thenEvents())).toEqual({ a: 'cancelled', c: 'blocked' });
    });

    it('waits again when the failed dependency is reopened, and becomes ready when it then succeeds', () => {
      const blocked = then(then(given, complete('b')), fail('a'));
      const reopened = then(blocked, reopen('a'));
      expect(statusChanges(reopened.slice(blocked.length))).toEqual({ a: 'ready', c: 'todo' });
      expect(statusOf(then(reopened, complete('a')), 'c')).toBe('ready');
    });
  });

  describe('failure', () => {
    const given = history(create('a'), create('b'), create('c', { dependsOn: [['a', 'failure'], ['b', 'failure']] }));

    it('becomes ready only when every dependency failed', () => {
      const one = then(given, fail('a'));
      expect(statusOf(one, 'c')).toBe('todo');
      expect(statusChanges(sut.given(one).when(fail('b')).thenEvents())).toEqual({ b: 'failed', c: 'ready' });
    });

    it('is blocked when a dependency succeeds (the failure it waits for can no longer happen)', () => {
      sut
        .given(then(given, fail('a')))
        .when(complete('b'))
        .then([
          TaskStatusChanged({ taskId: 'b', from: 'ready', to: 'done', cause: 'marked_done' }),
          TaskBlocked({ taskId: 'c', from: 'todo', blockedBy: [{ taskId: 'b', condition: 'failure', status: 'done', via: null }] }),
        ]);
    });
  });

  describe('any', () => {
    const given = history(create('a'), create('b'), create('d'), create('c', { dependsOn: [['a', 'any'], ['b', 'any'], ['d', 'any']] }));

    it('becomes ready when all finished, however each ended: done, failed, cancelled', () => {
      const two = then(then(given, complete('a')), fail('b'));
      expect(statusOf(two, 'c')).toBe('todo');
      expect(statusChanges(sut.given(two).when(cancel('d')).thenEvents())).toEqual({ d: 'cancelled', c: 'ready' });
    });

    it('is never blocked', () => {
      const all = then(then(then(given, fail('a')), fail('b')), fail('d'));
      expect(statusOf(all, 'c')).toBe('ready');
    });
  });

  it('mixes conditions with AND: success, failure and any all have to hold', () => {
    const given = history(create('a'), create('b'), create('d'), create('c', { dependsOn: ['a', ['b', 'failure'], ['d', 'any']] }));
    const two = then(then(given, complete('a')), fail('b'));
    expect(statusOf(two, 'c')).toBe('todo');
    expect(statusChanges(sut.given(two).when(complete('d')).thenEvents())).toEqual({ d: 'done', c: 'ready' });
    expect(statusChanges(sut.given(given).when(complete('b')).thenEvents())).toEqual({ b: 'done', c: 'blocked' });
  });

  it('blocks only direct dependants; theirs keep waiting (they may still be unblocked)', () => {
    const given = history(create('a'), create('b', { dependsOn: ['a'] }), create('c', { dependsOn: ['b'] }));
    expect(statusChanges(sut.given(given).when(fail('a')).thenEvents())).toEqual({ a: 'failed', b: 'blocked' });
  });

  it('refuses to start an attempt on a task whose dependencies are unmet, naming them, unless overridden', () => {
    const given = history(create('a'), create('c', { dependsOn: ['a'] }));
    sut.given(given).when(start('c')).thenThrows('invalid_state', /#2 "Task c" is todo: #1 "Task a" is ready, needs success/);
    const blocked = then(given, fail('a'));
    sut.given(blocked).when(start('c')).thenThrows('invalid_state', /is blocked/);
    expect(statusChanges(sut.given(blocked).when(start('c', 'att_c', { ignoreDependencies: true })).thenEvents())).toEqual({ c: 'in_progress' });
  });

  describe('dependencies of a parent hold for its whole subtree', () => {
    const given = history(create('x'), create('p', { dependsOn: ['x'] }), create('c1', { parent: 'p' }), create('c2', { parent: 'p' }));

    it('keeps subtasks waiting until the parent’s dependency is met', () => {
      expect([statusOf(given, 'c1'), statusOf(given, 'c2'), statusOf(given, 'p')]).toEqual(['todo', 'todo', 'todo']);
      expect(statusChanges(sut.given(given).when(complete('x')).thenEvents())).toEqual({ x: 'done', c1: 'ready', c2: 'ready', p: 'ready' });
    });

    it('blocks subtasks when the parent’s dependency fails, naming the parent', () => {
      const events = sut.given(given).when(fail('x')).thenEvents();
      expect(events).toContainEqual(TaskBlocked({ taskId: 'c1', from: 'todo', blockedBy: [{ taskId: 'x', condition: 'success', status: 'failed', via: 'p' }] }));
      expect(statusChanges(events)).toEqual({ x: 'failed', c1: 'blocked', c2: 'blocked', p: 'blocked' });
    });
  });
});

describe('task graph: roll-up', () => {
  const sut = deciderSpec(projectAggregateDecider);
  const epic = history(create('p'), create('a', { parent: 'p' }), create('b', { parent: 'p' }), create('after', { dependsOn: ['p'] }));

  it('a parent is ready while its subtasks are; it is in progress as soon as one starts', () => {
    expect(statusOf(epic, 'p')).toBe('ready');
    expect(statusChanges(sut.given(epic).when(start('a')).thenEvents())).toEqual({ a: 'in_progress', p: 'in_progress' });
  });

  it('is done when all subtasks are done, and its dependants become ready in the same decision', () => {
    const one = then(epic, complete('a'));
    expect(statusOf(one, 'p')).toBe('in_progress');
    sut
      .given(one)
      .when(complete('b'))
      .then([
        TaskStatusChanged({ taskId: 'b', from: 'ready', to: 'done', cause: 'marked_done' }),
        TaskStatusChanged({ taskId: 'p', from: 'in_progress', to: 'done', cause: 'rolled_up' }),
        TaskStatusChanged({ taskId: 'after', from: 'todo', to: 'ready', cause: 'dependencies_met' }),
      ]);
  });

  it('is done when the rest is done and some subtasks were cancelled; cancelled when all were', () => {
    expect(statusChanges(sut.given(then(epic, cancel('a'))).when(complete('b')).thenEvents())).toMatchObject({ p: 'done', after: 'ready' });
    expect(statusChanges(sut.given(epic).when(cancel('p')).thenEvents())).toEqual({ a: 'cancelled', b: 'cancelled', p: 'cancelled', after: 'blocked' });
  });

  it('is failed when every subtask finished and one failed; its success dependants are blocked', () => {
    expect(statusChanges(sut.given(then(epic, complete('a'))).when(fail('b')).thenEvents())).toEqual({ b: 'failed', p: 'failed', after: 'blocked' });
  });

  it('stays in progress while a failed subtask has unfinished siblings', () => {
    expect(statusChanges(sut.given(epic).when(fail('a')).thenEvents())).toEqual({ a: 'failed', p: 'in_progress' });
  });

  it('rolls up through several levels', () => {
    const deep = history(create('r'), create('m', { parent: 'r' }), create('l', { parent: 'm' }));
    expect(statusChanges(sut.given(deep).when(complete('l')).thenEvents())).toEqual({ l: 'done', m: 'done', r: 'done' });
  });

  it('refuses to set a parent’s status by hand; reopening a parent reopens its failed and cancelled subtasks', () => {
    sut.given(epic).when(complete('p')).thenThrows('invalid_state', /rolls up/);
    sut.given(epic).when(fail('p')).thenThrows('invalid_state', /rolls up/);
    const cancelled = then(epic, cancel('p'));
    expect(statusChanges(sut.given(cancelled).when(reopen('p')).thenEvents())).toEqual({ a: 'ready', b: 'ready', p: 'ready', after: 'todo' });
    sut.given(epic).when(reopen('p')).thenThrows('invalid_state', /reopen a subtask/);
  });

  it('a new subtask under a done parent reopens it', () => {
    const done = then(then(epic, complete('a')), complete('b'));
    expect(statusChanges(sut.given(done).when(create('c', { parent: 'p' })).thenEvents())).toEqual({ c: 'ready', p: 'in_progress', after: 'todo' });
  });
});
