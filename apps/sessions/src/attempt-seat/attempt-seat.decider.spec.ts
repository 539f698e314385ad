import { AttemptFollowUpRouted, AttemptSeatClosed, AttemptSeatReleased, attemptSeatCommands, isDomainError, registry, type AttemptSeatEvent } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import type { z } from 'zod';
import { snapshot } from '../session/__tests__/session-fixtures';
import { attemptSeatDecider, type AttemptSeatCommand } from './attempt-seat.decider';

const SEAT = { type: 'session' as const, id: 'attempt-a1' };
const defs = new Map(attemptSeatCommands.map((c) => [c.type as string, c]));
const cmd = (type: AttemptSeatCommand['type'], data: Record<string, unknown>) =>
  command(type, (defs.get(type)!.schema as z.ZodType).parse({ attemptId: 'a1', ...data })) as AttemptSeatCommand;
const spawnIn = (sessionId: string) => cmd('session.spawn_in_attempt', { sessionId, taskId: 't1', projectId: 'p1', templateId: 'tpl', template: snapshot() });
const followUp = (text: string, newSessionId: string | null = null) =>
  cmd('session.follow_up', { taskId: 't1', text, newSession: newSessionId ? { sessionId: newSessionId, projectId: 'p1', templateId: 'tpl', template: snapshot() } : null });
const release = (sessionId: string) => cmd('session.release_attempt_seat', { sessionId, status: 'completed' });
const close = () => cmd('session.close_attempt_seat', { reason: 'attempt merged' });

function history(...commands: AttemptSeatCommand[]): AttemptSeatEvent[] {
  const out: AttemptSeatEvent[] = [];
  for (const c of commands) {
    const state = out.reduce(attemptSeatDecider.evolve, attemptSeatDecider.initialState());
    out.push(...attemptSeatDecider.decide(c, state).map((e) => recorded(SEAT, e) as AttemptSeatEvent));
  }
  return out;
}

describe('attemptSeatDecider: one running session per attempt', () => {
  const sut = deciderSpec(attemptSeatDecider);

  it('lives on the attempt’s own subject', () => {
    expect(attemptSeatDecider.aggregateIdOf(spawnIn('s1'))).toBe('attempt-a1');
  });

  it('a free seat is claimed with the full request, in the attempt, for its task', () => {
    const [claimed] = sut.given([]).when(spawnIn('s1')).thenEvents();
    expect(claimed.type).toBe('session.attempt_seat_claimed');
    expect(claimed.data).toMatchObject({ attemptId: 'a1', sessionId: 's1', request: { sessionId: 's1', attemptId: 'a1', taskIds: ['t1'], origin: { kind: 'attempt' } } });
    expect(() => registry.encodeEvent({ ...recorded(SEAT, claimed), version: 1 } as never)).not.toThrow();
  });

  it('a second session while one holds the seat is 409 naming the running one', () => {
    sut.given(history(spawnIn('s1'))).when(spawnIn('s2')).thenThrows('conflict', /already has a running session s1/);
    try {
      attemptSeatDecider.decide(spawnIn('s2'), history(spawnIn('s1')).reduce(attemptSeatDecider.evolve, attemptSeatDecider.initialState()));
    } catch (e) {
      expect(isDomainError(e) && e.details).toEqual({ attemptId: 'a1', runningSessionId: 's1' });
    }
  });

  it('after the session ended and released the seat, the next one may start', () => {
    const released = history(spawnIn('s1'), release('s1'));
    expect(sut.given(released).when(spawnIn('s2')).thenEvents()[0].type).toBe('session.attempt_seat_claimed');
    sut.given(released).when(spawnIn('s1')).thenThrows('conflict', /s1 already exists/);
  });

  it('a release by a session that does not hold the seat changes nothing', () => {
    sut.given(history(spawnIn('s1'))).when(release('s0')).then([]);
    sut.given(history(spawnIn('s1'))).when(release('s1')).then([AttemptSeatReleased({ attemptId: 'a1', sessionId: 's1', status: 'completed', reason: '' })]);
  });

  it('a follow-up goes into the running session', () => {
    sut.given(history(spawnIn('s1'))).when(followUp('also handle 404s')).then([AttemptFollowUpRouted({ attemptId: 'a1', taskId: 't1', sessionId: 's1', text: 'also handle 404s', kind: 'follow_up' })]);
  });

  it('with none running, a follow-up starts a new session in the attempt with it as the prompt — or is refused without one', () => {
    const [claimed] = sut.given(history(spawnIn('s1'), release('s1'))).when(followUp('also handle 404s', 's2')).thenEvents();
    expect(claimed.data).toMatchObject({ sessionId: 's2', request: { prompt: 'also handle 404s', origin: { kind: 'follow_up' }, taskIds: ['t1'] } });
    sut.given([]).when(followUp('hello')).thenThrows('invalid_state', /no session runs in attempt a1/);
  });

  it("with none running and no template named, a follow-up starts a session like the last one (what runs and where, not its name or prompt)", () => {
    const spawnLabelled = cmd('session.spawn_in_attempt', {
      ...{ sessionId: 's1', taskId: 't1', projectId: 'p1', templateId: 'tpl', template: snapshot(), name: 'first', prompt: 'build it' },
      ...{ permissionMode: 'auto', runnerLabels: { gpu: 'yes' }, budget: { maxCostUsd: 5, maxTokens: null } },
    });
    const likeLast = (kind: 'follow_up' | 'review_comment') => cmd('session.follow_up', { taskId: 't1', text: 'fix the test', kind, likeLast: { sessionId: 's2' } });
    const [claimed] = sut.given(history(spawnLabelled, release('s1'))).when(likeLast('review_comment')).thenEvents();
    expect(claimed.data).toMatchObject({
      sessionId: 's2',
      followUp: 'review_comment',
      request: { sessionId: 's2', templateId: 'tpl', permissionMode: 'auto', runnerLabels: { gpu: 'yes' }, budget: { maxCostUsd: 5, maxTokens: null }, name: '', prompt: 'fix the test', origin: { kind: 'follow_up' } },
    });
    sut.given([]).when(likeLast('follow_up')).thenThrows('invalid_state', /no session runs in attempt a1; and none ran before/);
  });

  it('a finished attempt closes its seat, naming the session to stop; nothing starts in it afterwards', () => {
    sut.given(history(spawnIn('s1'))).when(close()).then([AttemptSeatClosed({ attemptId: 'a1', reason: 'attempt merged', sessionId: 's1' })]);
    const closed = history(close());
    sut.given(closed).when(spawnIn('s2')).thenThrows('invalid_state', /finished/);
    sut.given(closed).when(followUp('x', 's2')).thenThrows('invalid_state', /finished/);
    sut.given(closed).when(close()).then([]);
  });

  it('refuses attempt ids too long to fit a subject token after the prefix', () => {
    expect(() => defs.get('session.spawn_in_attempt')!.schema.parse({ attemptId: 'a'.repeat(56) })).toThrow();
  });
});
