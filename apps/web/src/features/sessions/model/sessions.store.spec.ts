import type { LiveEventMessage, SessionView } from '@baton/contracts';
import { applySessionEvent, sessionTree, sortSessions, toSessionMap } from './sessions.store';
import { fitScale } from './terminal-size';

let seq = 0;
const ev = (id: string, type: string, data: Record<string, unknown>): LiveEventMessage =>
  ({ seq: ++seq, event: { id: `e${seq}`, type, version: 1, aggregate: { type: 'session', id }, occurredAt: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`, actor: { kind: 'system', id: 's' }, correlationId: 'c', causationId: 'c', data } }) as unknown as LiveEventMessage;

describe(applySessionEvent.name, () => {
  it('follows a session from its request to its end', () => {
    const requested = ev('S1', 'session.requested', { projectId: 'P', templateId: 'baton-demo-agent', taskIds: ['T1'], attemptId: 'A1', parentSessionId: null, strategy: 'simple', role: 'worker' });
    let m = applySessionEvent({}, requested, 'P');
    expect(m.S1).toMatchObject({ status: 'pending', items: [{ taskId: 'T1', status: 'queued' }], attemptId: 'A1' });
    for (const e of [
      ev('S1', 'session.placed', { runnerId: 'r1' }),
      ev('S1', 'session.status_changed', { from: 'pending', to: 'needs_input', source: 'agent', reason: 'asks' }),
      ev('S1', 'session.timeline_recorded', { kind: 'needs_input', message: 'Red or blue?', taskId: 'T1', progress: null, metadata: {} }),
      ev('S1', 'session.usage_reported', { delta: {}, total: { inputTokens: 5, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.02 }, taskId: 'T1', model: null, projectId: 'P', attemptId: 'A1' }),
      ev('S1', 'session.queue_item_changed', { taskId: 'T1', from: 'queued', to: 'completed', reason: '', projectId: 'P', attemptId: 'A1' }),
    ])
      m = applySessionEvent(m, e, 'P');
    expect(m.S1).toMatchObject({ status: 'needs_input', runnerId: 'r1', lastMessage: 'Red or blue?', timelineCount: 1, usage: { costUsd: 0.02 }, items: [{ status: 'completed' }] });
    m = applySessionEvent(m, ev('S1', 'session.ended', { status: 'completed', reason: 'done', exitCode: 0, runnerId: 'r1', killProcess: false, cascadeTo: [], projectId: 'P', attemptId: 'A1', taskIds: ['T1'], parentSessionId: null, origin: { kind: 'attempt' } }), 'P');
    expect(m.S1).toMatchObject({ status: 'completed', exitCode: 0, runnerId: null, endedReason: 'done' });
    expect(applySessionEvent(m, requested, 'P')).toBe(m);
    expect(applySessionEvent({}, requested, 'OTHER')).toEqual({});
  });
});

const s = (id: string, over: Partial<SessionView>): SessionView => ({ id, status: 'working', createdAt: '2026-01-01T00:00:00Z', parentSessionId: null, ...over }) as SessionView;

describe(sortSessions.name, () => {
  it('puts sessions asking for input first, then trouble, live, and ended ones last', () => {
    const list = [s('done', { status: 'completed' }), s('run', {}), s('ask', { status: 'needs_input' }), s('lost', { status: 'lost' })];
    expect(sortSessions(list).map((x) => x.id)).toEqual(['ask', 'lost', 'run', 'done']);
  });

  it('shows workers under their parent', () => {
    const list = [s('w1', { parentSessionId: 'o' }), s('o', { createdAt: '2025-12-31T00:00:00Z' }), s('x', {})];
    expect(sessionTree(list).map((n) => `${n.session.id}@${n.depth}`)).toEqual(['x@0', 'o@0', 'w1@1']);
    expect(Object.keys(toSessionMap(list))).toEqual(['w1', 'o', 'x']);
  });
});

describe(fitScale.name, () => {
  it('scales a terminal down to its tile, never up', () => {
    expect(fitScale({ width: 400, height: 300 }, { width: 800, height: 400 })).toBe(0.5);
    expect(fitScale({ width: 2000, height: 2000 }, { width: 800, height: 400 })).toBe(1);
    expect(fitScale({ width: 0, height: 0 }, { width: 800, height: 400 })).toBe(1);
  });
});
