import { AttemptMessageAdded, RecordAttemptWorkspace, RequestAttemptReview, SessionRequested, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import { at, cmd, create, finish, history, positioned, start } from '../../task-graph/__tests__/graph-fixtures';
import type { AttemptMessageRow, AttemptRow } from './attempt-row.entity';
import { attemptMessagesProjection, attemptsProjection } from './attempts.projection';

const T = { type: 'task' as const, id: 'a' };
function story(): RecordedEvent<DomainEvent>[] {
  const graph = positioned(
    history(
      create('a', { title: 'Login page' }),
      at('2026-01-02T10:00:00.000Z', start('a', 'att1')),
      cmd(RecordAttemptWorkspace, { projectId: 'p1', taskId: 'a', attemptId: 'att1', baseCommit: 'abcdef1', worktreePath: '/w/att1', runnerId: 'r1' }),
      cmd(RequestAttemptReview, { projectId: 'p1', taskId: 'a', attemptId: 'att1' }),
      at('2026-01-02T12:00:00.000Z', finish('a', 'att1', 'abandoned')),
      at('2026-01-02T13:00:00.000Z', start('a', 'att2')),
    ),
  );
  const conversation = positioned(
    [
      recorded(T, AttemptMessageAdded({ attemptId: 'att1', role: 'user', kind: 'prompt', text: 'Build it', sessionId: null }), '2026-01-02T10:00:01.000Z'),
      recorded(T, AttemptMessageAdded({ attemptId: 'att1', role: 'agent', kind: 'reply', text: 'Built', sessionId: 's1' }), '2026-01-02T10:30:00.000Z'),
      recorded(T, AttemptMessageAdded({ attemptId: 'att1', role: 'user', kind: 'follow_up', text: 'Tests?', sessionId: 's2' }), '2026-01-02T11:00:00.000Z'),
      recorded({ type: 'session', id: 's1' }, SessionRequested({ projectId: 'p1', templateId: 'tpl', taskIds: ['a'], attemptId: 'att1', parentSessionId: null, strategy: 'simple', role: 'worker' })),
      recorded({ type: 'session', id: 's2' }, SessionRequested({ projectId: 'p1', templateId: 'tpl', taskIds: ['a'], attemptId: 'att1', parentSessionId: null, strategy: 'simple', role: 'worker' })),
    ],
    graph.length + 1,
  );
  return [...graph, ...conversation];
}

describe('attemptsProjection', () => {
  const sut = attemptsProjection;

  it('folds one row per attempt: branch, base, worktree, outcome and counts', () => {
    const rows = new Map<string, AttemptRow | null>();
    foldAfter(sut, rows, 0, story());
    expect(rows.get('att1')).toMatchObject({
      taskId: 'a',
      projectId: 'p1',
      number: 1,
      branch: 'baton/login-page-att1',
      baseBranch: 'main',
      baseCommit: 'abcdef1',
      worktreePath: '/w/att1',
      runnerId: 'r1',
      status: 'abandoned',
      startedAt: '2026-01-02T10:00:00.000Z',
      finishedAt: '2026-01-02T12:00:00.000Z',
      messageCount: 3,
      sessionCount: 2,
      lastMessageAt: '2026-01-02T11:00:00.000Z',
    });
    expect(rows.get('att2')).toMatchObject({ number: 2, status: 'active', finishedAt: null });
  });

  it('applies the same events delivered twice only once', () => {
    const events = story();
    const rows = new Map<string, AttemptRow | null>();
    const first = foldAfter(sut, rows, 0, events);
    const once = structuredClone([...rows.entries()]);
    expect(foldAfter(sut, rows, first.checkpoint, events).touched.size).toBe(0);
    expect([...rows.entries()]).toEqual(once);
  });
});

describe('attemptMessagesProjection', () => {
  const sut = attemptMessagesProjection;

  it('keeps the conversation in log order across sessions, once', () => {
    const events = story();
    const rows = new Map<string, AttemptMessageRow | null>();
    const first = foldAfter(sut, rows, 0, events);
    foldAfter(sut, rows, 0, events);
    foldAfter(sut, rows, first.checkpoint, events);
    const messages = [...rows.values()].filter((r): r is AttemptMessageRow => r !== null).sort((a, b) => a.seq - b.seq);
    expect(messages.map((m) => [m.kind, m.text, m.sessionId])).toEqual([
      ['prompt', 'Build it', null],
      ['reply', 'Built', 's1'],
      ['follow_up', 'Tests?', 's2'],
    ]);
  });
});
