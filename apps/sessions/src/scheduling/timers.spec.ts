import { dueTimers, type TimedSession, type TimerSpec } from './timers';

const t0 = '2026-01-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(t0) + s * 1000).toISOString();
const session = (o: Partial<TimedSession>): TimedSession => ({ sessionId: 's1', status: 'working', statusSince: t0, until: null, updatedAt: t0, lastSeq: 7, ...o });
const spec: TimerSpec = { registrationTimeoutMs: 10_000, stallAfterMs: 60_000 };
const noOutput = () => null;

describe(dueTimers.name, () => {
  it('checks registration once the timeout passed since spawning began', () => {
    const s = session({ status: 'spawning' });
    expect(dueTimers([s], () => spec, noOutput, at(9.999))).toEqual([]);
    const [sut] = dueTimers([s], () => spec, noOutput, at(10));
    expect(sut).toMatchObject({ id: 'sessions-timer-registration-s1-7', type: 'session.check_registration', data: { sessionId: 's1' }, issuedAt: at(10), actor: { kind: 'system' } });
  });

  it('counts registration from the session’s last event (its process start), never earlier than the decider does', () => {
    const s = session({ status: 'spawning', updatedAt: at(6) });
    expect(dueTimers([s], () => spec, noOutput, at(15.999))).toEqual([]);
    expect(dueTimers([s], () => spec, noOutput, at(16))[0]).toMatchObject({ type: 'session.check_registration' });
  });

  it('checks a stall after stallAfterMs without output or any event, carrying the heartbeat’s last output', () => {
    const s = session({ updatedAt: at(5) });
    expect(dueTimers([s], () => spec, () => at(30), at(89))).toEqual([]);
    expect(dueTimers([s], () => spec, () => at(30), at(90))[0]).toMatchObject({ type: 'session.check_stall', data: { sessionId: 's1', lastOutputAt: at(30) } });
    expect(dueTimers([s], () => spec, noOutput, at(65))[0]).toMatchObject({ type: 'session.check_stall', data: { lastOutputAt: null } });
    expect(dueTimers([s], () => ({ ...spec, stallAfterMs: null }), noOutput, at(10_000))).toEqual([]);
  });

  it('asks a stalled session to resume once output came after it stalled', () => {
    const s = session({ status: 'stalled', statusSince: at(60) });
    expect(dueTimers([s], () => spec, () => at(59), at(100))).toEqual([]);
    expect(dueTimers([s], () => spec, () => at(61), at(100))[0]).toMatchObject({ type: 'session.check_stall', data: { lastOutputAt: at(61) } });
  });

  it('resumes after a quota wait once its time came', () => {
    const s = session({ status: 'waiting_quota', until: at(30) });
    expect(dueTimers([s], () => null, noOutput, at(29))).toEqual([]);
    expect(dueTimers([s], () => null, noOutput, at(30))[0]).toMatchObject({ id: 'sessions-timer-quota-s1-7', type: 'session.resume_after_quota' });
  });

  it('sends nothing without the session’s template, and nothing in other statuses', () => {
    expect(dueTimers([session({ status: 'spawning' })], () => null, noOutput, at(1e6))).toEqual([]);
    expect(dueTimers([session({ status: 'idle' }), session({ status: 'pending' })], () => spec, noOutput, at(1e6))).toEqual([]);
  });

  it('gives the same id while the session did not change, and a new one when it did', () => {
    const s = session({ status: 'spawning' });
    expect(dueTimers([s], () => spec, noOutput, at(11))[0].id).toBe(dueTimers([s], () => spec, noOutput, at(12))[0].id);
    expect(dueTimers([{ ...s, lastSeq: 8 }], () => spec, noOutput, at(12))[0].id).not.toBe(dueTimers([s], () => spec, noOutput, at(12))[0].id);
  });
});
