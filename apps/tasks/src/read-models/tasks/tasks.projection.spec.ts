import { AttemptMessageAdded, EditTask, RemoveTask, SessionRequested, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import { at, cmd, complete, create, depend, fail, finish, history, move, positioned, start, stateAfter, undepend } from '../../task-graph/__tests__/graph-fixtures';
import type { TaskRow } from './task-row.entity';
import { tasksProjection } from './tasks.projection';

function story() {
  return history(
    at('2026-01-01T10:00:00.000Z', create('epic')),
    at('2026-01-01T10:00:00.000Z', create('a', { parent: 'epic' })),
    at('2026-01-01T10:00:00.000Z', create('b', { parent: 'epic', dependsOn: ['a'] })),
    at('2026-01-01T10:00:00.000Z', create('c', { dependsOn: [['b', 'any']] })),
    at('2026-01-01T10:00:00.000Z', create('d')),
    at('2026-01-01T10:05:00.000Z', cmd(EditTask, { projectId: 'p1', taskId: 'a', labels: ['api'] })),
    at('2026-01-01T11:00:00.000Z', start('a')),
    at('2026-01-01T12:00:00.000Z', finish('a')),
    at('2026-01-01T12:30:00.000Z', depend('d', 'a')),
    at('2026-01-01T12:40:00.000Z', undepend('d', 'a')),
    at('2026-01-01T13:00:00.000Z', fail('b')),
    at('2026-01-01T13:30:00.000Z', move('d', 'epic')),
  );
}

describe('tasksProjection', () => {
  const sut = tasksProjection;

  it('folds a row per task that agrees with the graph the decider keeps', () => {
    const events = story();
    const rows = new Map<string, TaskRow | null>();
    foldAfter(sut, rows, 0, positioned(events));
    const graph = stateAfter(events).graph;
    for (const [id, node] of graph.tasks) {
      expect(rows.get(id)).toMatchObject({ status: node.status, parentId: node.parentId, dependsOn: node.dependsOn, number: node.number });
    }
    expect(rows.get('a')).toMatchObject({
      labels: ['api'],
      status: 'done',
      attemptCount: 1,
      activeAttemptId: null,
      startedAt: '2026-01-01T11:00:00.000Z',
      doneAt: '2026-01-01T12:00:00.000Z',
      dependants: ['b'],
    });
    expect(rows.get('b')).toMatchObject({ status: 'failed', finishedAt: '2026-01-01T13:00:00.000Z', dependants: ['c'] });
    expect(rows.get('c')).toMatchObject({ status: 'ready', blockedBy: null });
    expect(rows.get('epic')).toMatchObject({ status: 'in_progress', childCount: 3 });
    expect(rows.get('d')).toMatchObject({ parentId: 'epic', dependsOn: [] });
  });

  it('records why a task is blocked', () => {
    const events = history(create('a'), create('b', { dependsOn: ['a'] }), fail('a'));
    const rows = new Map<string, TaskRow | null>();
    foldAfter(sut, rows, 0, positioned(events));
    expect(rows.get('b')).toMatchObject({ status: 'blocked', blockedBy: [{ taskId: 'a', condition: 'success', status: 'failed', via: null }] });
  });

  it('applies the same events delivered twice only once', () => {
    const events = positioned(story());
    const rows = new Map<string, TaskRow | null>();
    const first = foldAfter(sut, rows, 0, events);
    const once = structuredClone([...rows.entries()]);
    const second = foldAfter(sut, rows, first.checkpoint, events);
    expect(second.touched.size).toBe(0);
    expect([...rows.entries()]).toEqual(once);
  });

  it('applies the new tail of an overlapping redelivery', () => {
    const events = positioned(story());
    const whole = new Map<string, TaskRow | null>();
    foldAfter(sut, whole, 0, events);
    const split = new Map<string, TaskRow | null>();
    const first = foldAfter(sut, split, 0, events.slice(0, 10));
    foldAfter(sut, split, first.checkpoint, events);
    expect([...split.entries()]).toEqual([...whole.entries()]);
  });

  it('counts messages and sessions, and deletes removed tasks', () => {
    const events = positioned(history(create('a'), start('a'), create('b', { dependsOn: ['a'] }), complete('b')));
    const more = [
      recorded({ type: 'task', id: 'a' }, AttemptMessageAdded({ attemptId: 'att_a', role: 'user', kind: 'prompt', text: 'go', sessionId: null })),
      recorded({ type: 'session', id: 's1' }, SessionRequested({ projectId: 'p1', templateId: 'tpl', taskIds: ['a', 'a'], attemptId: 'att_a', parentSessionId: null, strategy: 'simple', role: 'worker' })),
    ];
    const all: RecordedEvent<DomainEvent>[] = [...events, ...positioned(more, events.length + 1)];
    const rows = new Map<string, TaskRow | null>();
    foldAfter(sut, rows, 0, all);
    expect(rows.get('a')).toMatchObject({ messageCount: 1, sessionCount: 1, dependants: ['b'] });
    const removed = history(create('p'), create('a', { parent: 'p' }), create('b', { parent: 'p' }), cmd(RemoveTask, { projectId: 'p1', taskId: 'b' }));
    const after = new Map<string, TaskRow | null>();
    foldAfter(sut, after, 0, positioned(removed));
    expect(after.get('b')).toBeNull();
    expect(after.get('p')).toMatchObject({ childCount: 1 });
  });
});
