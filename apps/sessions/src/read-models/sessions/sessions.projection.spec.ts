import { AttemptSeatClaimed, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import { cmd, exit, history, place, register, reportStatus, spawn, spawned, snapshot, t, usage } from '../../session/__tests__/session-fixtures';
import type { SessionRow } from './session-row.entity';
import { sessionsProjection } from './sessions.projection';

const positioned = (events: { type: string }[], first = 1) => events.map((e, i) => ({ ...e, position: { seq: first + i } }) as unknown as RecordedEvent<DomainEvent>);

function story() {
  return positioned(
    history(
      spawn({ taskIds: ['t1'], runnerLabels: { gpu: 'yes' } }, { runnerLabels: { os: 'linux' }, restart: { mode: 'on-failure', backoffMs: 1_000, maxBackoffMs: 1_000, maxRestarts: 2, resetAfterMs: null } }, t(0)),
      place('r1', t(1)),
      spawned('r1', t(2)),
      register(t(3)),
      reportStatus('working', t(4)),
      usage({ inputTokens: 100, costUsd: 0.5 }, t(5)),
      exit(1, t(6)),
    ),
  );
}

describe('sessionsProjection', () => {
  const sut = sessionsProjection;

  it('folds a row per session: status, runner, queue position, labels, restarts, usage', () => {
    const rows = new Map<string, SessionRow | null>();
    foldAfter(sut, rows, 0, story());
    const row = rows.get('s1')!;
    expect(row).toMatchObject({
      projectId: 'p1',
      templateId: 'tpl',
      templateVersion: 1,
      kind: 'agent',
      status: 'pending',
      until: t(7),
      runnerId: null,
      lastRunnerId: 'r1',
      runnerLabels: { os: 'linux', gpu: 'yes' },
      restarts: 1,
      runs: 1,
      ready: false,
      exitCode: 1,
      inputTokens: 100,
      costUsd: 0.5,
      items: [{ taskId: 't1', status: 'queued' }],
    });
    expect(row.pendingSeq).toBe(story().findLast((e) => e.type === 'session.status_changed')!.position.seq);
    expect(row.timelineCount).toBeGreaterThan(2);
  });

  it('ends a row with its reason; pending position is cleared once placed', () => {
    const events = positioned(history(spawn({}, {}, t(0)), place('r1', t(1)), spawned('r1', t(2)), register(t(3)), cmd('session.stop', { reason: 'enough' }, t(9))));
    const rows = new Map<string, SessionRow | null>();
    foldAfter(sut, rows, 0, events);
    expect(rows.get('s1')).toMatchObject({ status: 'stopped', endedAt: t(9), endedReason: 'enough', pendingSeq: null, runnerId: 'r1' });
  });

  it('keeps every runner the session was placed on, once each, oldest first', () => {
    const refused = (runnerId: string, at: string) => cmd('session.record_spawn_failed', { runnerId, error: 'full', retryable: true }, at, 'system');
    const events = positioned(history(spawn({}, {}, t(0)), place('r1', t(1)), refused('r1', t(2)), place('r2', t(30)), refused('r2', t(31)), place('r1', t(60))));
    const rows = new Map<string, SessionRow | null>();
    foldAfter(sut, rows, 0, events);
    expect(rows.get('s1')).toMatchObject({ runnerId: 'r1', runnerIds: ['r1', 'r2'] });
  });

  it('shows a session in an attempt as soon as the seat is claimed', () => {
    const claim = recorded({ type: 'session', id: 'attempt-a1' }, AttemptSeatClaimed({
      attemptId: 'a1',
      sessionId: 's1',
      request: { sessionId: 's1', projectId: 'p1', templateId: 'tpl', template: snapshot(), taskIds: ['t1'], strategy: 'simple', role: 'worker', parentSessionId: null, name: '', runnerLabels: {}, budget: null, prompt: null, origin: { kind: 'attempt' }, permissionMode: null, attemptId: 'a1' },
    }));
    const rows = new Map<string, SessionRow | null>();
    foldAfter(sut, rows, 0, positioned([claim]));
    expect(rows.get('s1')).toMatchObject({ status: 'pending', pendingSeq: null, attemptId: 'a1', templateVersion: 1 });
    foldAfter(sut, rows, 1, positioned(history(cmd('session.open_in_attempt', { projectId: 'p1', templateId: 'tpl', template: snapshot(), attemptId: 'a1', taskIds: ['t1'] }, t(0), 'system')), 2));
    expect(rows.get('s1')).toMatchObject({ status: 'pending', pendingSeq: 2, attemptId: 'a1' });
  });

  it('applies the same events delivered twice only once, and an overlapping redelivery’s tail', () => {
    const events = story();
    const rows = new Map<string, SessionRow | null>();
    const first = foldAfter(sut, rows, 0, events);
    const once = structuredClone(rows.get('s1'));
    expect(foldAfter(sut, rows, first.checkpoint, events).touched.size).toBe(0);
    expect(rows.get('s1')).toEqual(once);
    const split = new Map<string, SessionRow | null>();
    const half = foldAfter(sut, split, 0, events.slice(0, 4));
    foldAfter(sut, split, half.checkpoint, events);
    expect(split.get('s1')).toEqual(once);
  });

  it('ignores the coordination subjects and events of a session it never saw', () => {
    const rows = new Map<string, SessionRow | null>();
    foldAfter(sut, rows, 0, positioned(history(spawn(), place())).slice(3));
    expect(rows.get('s1')).toBeNull();
  });
});
