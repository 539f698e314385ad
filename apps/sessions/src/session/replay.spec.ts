import { recorded } from '@baton/testing';
import type { SessionEvent } from '@baton/events';
import { cmd, exit, history, place, register, report, reportStatus, S, spawn, spawned, t } from './__tests__/session-fixtures';
import { replaySession } from './replay';

describe(replaySession.name, () => {
  const story = () =>
    history(
      spawn({ taskIds: ['t1'] }, {}, t(0)),
      place('r1', t(1)),
      spawned('r1', t(2)),
      register(t(3)),
      report('task_started', { taskId: 't1' }, t(4)),
      report('progress', { message: 'half', progress: 0.5 }, t(10)),
      cmd('session.send_input', { text: 'use postgres', kind: 'follow_up' }, t(12)),
      report('task_completed', { taskId: 't1', message: 'done' }, t(20)),
      reportStatus('completed', t(21), 'all done'),
      exit(0, t(22)),
    ).map((e, i) => ({ ...e, position: { seq: 100 + i } }));

  it('rebuilds the status, its history and the timeline from the events alone', () => {
    const r = replaySession(story());
    expect(r.status).toBe('completed');
    expect(r.statuses.map((s) => s.status)).toEqual(['pending', 'spawning', 'idle', 'working', 'completed']);
    expect(r.timeline.map((e) => e.kind)).toEqual(['session_started', 'milestone', 'task_started', 'progress', 'task_completed', 'session_stopped']);
    expect(r.timeline[3]).toMatchObject({ kind: 'progress', progress: 0.5, message: 'half', at: t(10), taskId: 't1' });
    expect(r.inputs).toEqual([{ at: t(12), kind: 'follow_up', text: 'use postgres', fromSessionId: null }]);
    expect(r.state.items).toEqual([{ taskId: 't1', status: 'completed' }]);
  });

  it('gives the status and timeline at any instant', () => {
    const atTen = replaySession(story(), { untilTime: t(10) });
    expect(atTen.status).toBe('working');
    expect(atTen.timeline.map((e) => e.kind)).toEqual(['session_started', 'milestone', 'task_started', 'progress']);
    expect(atTen.at).toBe(t(10));
    expect(replaySession(story(), { untilTime: t(2.5) }).status).toBe('spawning');
    expect(replaySession(story(), { untilTime: '2025-12-31T00:00:00.000Z' }).status).toBe('pending');
  });

  it('cuts by stream sequence, never inside one decision', () => {
    const events = story();
    const firstOfSpawn = events.find((e) => e.type === 'session.requested')!.position.seq;
    const cut = replaySession(events, { untilSeq: firstOfSpawn });
    expect(cut.timeline.map((e) => e.kind)).toEqual(['session_started']);
    expect(cut.state.template).not.toBeNull();
    const batched = events.map((e) => ({ ...e, batch: undefined }));
    expect(replaySession(batched, { untilSeq: firstOfSpawn }).timeline).toEqual([]);
  });

  it('ignores events of other aggregates on the way', () => {
    const noise = recorded({ type: 'project', id: 'p1' }, { type: 'project.renamed', data: { name: 'x', previousName: 'y' } });
    expect(replaySession([noise, ...story()] as never).status).toBe('completed');
  });

  it('replays a restart as pending again, then running', () => {
    const restarted = history(
      spawn({}, { restart: { mode: 'on-failure', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 1, resetAfterMs: null } }, t(0)),
      place('r1', t(1)),
      spawned('r1', t(2)),
      register(t(3)),
      exit(1, t(4)),
      place('r2', t(5)),
      spawned('r2', t(6)),
    ) as SessionEvent[];
    const r = replaySession(restarted);
    expect(r.statuses.map((s) => s.status)).toEqual(['pending', 'spawning', 'idle', 'pending', 'spawning']);
    expect(r.timeline.map((e) => e.kind)).toContain('restarted');
    expect(r.state).toMatchObject({ runnerId: 'r2', restarts: 1, runs: 2 });
    void S;
  });
});
