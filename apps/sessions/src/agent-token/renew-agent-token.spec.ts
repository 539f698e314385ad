import { renewalVerdict, type RenewalSubject } from './renew-agent-token';

const row = (o: Partial<RenewalSubject> = {}): RenewalSubject => ({
  id: 's1',
  projectId: 'p1',
  attemptId: 'a1',
  taskIds: ['t1'],
  role: 'worker',
  parentSessionId: 's0',
  status: 'working',
  runnerId: 'r1',
  ...o,
});

describe(renewalVerdict.name, () => {
  it('renews the token of a session live on the runner that asks, with the session\'s own claims', () => {
    for (const status of ['spawning', 'idle', 'working', 'needs_input', 'stalled', 'waiting_quota', 'lost'] as const) {
      expect(renewalVerdict(row({ status }), 's1', 'r1')).toEqual({
        ok: true,
        claims: { sessionId: 's1', projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: 's0' },
      });
    }
  });

  it('refuses once the session ended', () => {
    for (const status of ['completed', 'failed', 'stopped', 'succeeded', 'exited'] as const) {
      expect(renewalVerdict(row({ status }), 's1', 'r1')).toEqual({ ok: false, code: 'not_live', message: `session s1 is ${status}: its token is not renewed` });
    }
  });

  it('refuses while it is not running anywhere (pending again) or waits for a runner', () => {
    expect(renewalVerdict(row({ status: 'pending', runnerId: null }), 's1', 'r1')).toMatchObject({ ok: false, code: 'not_live' });
  });

  it('refuses another runner than the one hosting it, and an unknown session, without saying where it runs', () => {
    const other = renewalVerdict(row(), 's1', 'r2');
    expect(other).toEqual({ ok: false, code: 'not_live', message: 'session s1 does not run on runner r2' });
    expect(renewalVerdict(null, 's9', 'r1')).toEqual({ ok: false, code: 'not_live', message: 'session s9 is not known' });
  });
});
