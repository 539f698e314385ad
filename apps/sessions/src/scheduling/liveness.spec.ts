import { livenessAt, mergeHeartbeats, RUNNER_SILENCE_MS } from './liveness';

const at = (sec: number) => new Date(Date.parse('2026-01-01T10:00:00.000Z') + sec * 1000).toISOString();

describe(livenessAt.name, () => {
  const heartbeats = [
    { runnerId: 'r1', at: at(0), sessions: [{ sessionId: 's1', pid: 10, lastOutputAt: at(-3) }] },
    { runnerId: 'r2', at: at(-11), sessions: [{ sessionId: 's2', pid: 11, lastOutputAt: null }] },
  ];
  const hosted = [
    { sessionId: 's1', runnerId: 'r1', status: 'working' },
    { sessionId: 's2', runnerId: 'r2', status: 'idle' },
    { sessionId: 's3', runnerId: 'r3', status: 'spawning' },
    { sessionId: 's4', runnerId: 'r3', status: 'lost' },
  ];

  it('a runner silent for longer than the limit is gone: its sessions are to be marked lost (once)', () => {
    const sut = livenessAt(heartbeats, hosted, at(0));
    expect([...sut.alive]).toEqual(['r1']);
    expect(sut.lost.map((s) => s.sessionId)).toEqual(['s2', 's3']);
  });

  it('keeps "lost within 15 s": silence limit plus a watcher tick stays under it', () => {
    expect(RUNNER_SILENCE_MS + 2_000 + 3_000).toBeLessThanOrEqual(15_000);
    expect(livenessAt(heartbeats, hosted, at(-2)).alive.has('r2')).toBe(true);
    expect(livenessAt(heartbeats, hosted, at(-1)).alive.has('r2')).toBe(false);
  });

  it('gives the watchdog each session’s last output time', () => {
    const sut = livenessAt(heartbeats, hosted, at(0));
    expect(sut.lastOutputAt('s1')).toBe(at(-3));
    expect(sut.lastOutputAt('s9')).toBeNull();
  });
});

describe(mergeHeartbeats.name, () => {
  const hb = (runnerId: string, sec: number) => ({ runnerId, at: at(sec), sessions: [] });

  it('keeps the newest heartbeat per runner, also of runners this read did not return', () => {
    const known = new Map([['r1', hb('r1', -5)], ['r2', hb('r2', -4)]]);
    const sut = mergeHeartbeats(known, [hb('r1', -1), hb('r3', 0)], at(0));
    expect([...sut.values()].map((h) => [h.runnerId, h.at])).toEqual([
      ['r1', at(-1)],
      ['r2', at(-4)],
      ['r3', at(0)],
    ]);
    // r2 missing from one read is not dead yet: its last heartbeat is 4 s old.
    expect(livenessAt([...sut.values()], [{ sessionId: 's', runnerId: 'r2', status: 'idle' }], at(0)).lost).toEqual([]);
  });

  it('never goes back to an older heartbeat, and forgets very old ones', () => {
    expect(mergeHeartbeats(new Map([['r1', hb('r1', 0)]]), [hb('r1', -9)], at(0)).get('r1')!.at).toBe(at(0));
    expect(mergeHeartbeats(new Map([['r1', hb('r1', -7200)]]), [], at(0)).size).toBe(0);
  });
});
