import { aliveRunners, livenessAt, MAX_RUNNER_SILENCE_MS, mergeHeartbeats, observeBeats, RUNNER_SILENCE_MS, silenceLimitMs, type BeatHistory } from './liveness';

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

describe('liveness under load (docs/decisions/0026)', () => {
  const T = Date.parse(at(0));
  const beat = (runnerId: string, sec: number, sessions: { sessionId: string; epoch?: number }[] = []) => ({
    runnerId,
    at: at(sec),
    sessions: sessions.map((s) => ({ pid: 7, lastOutputAt: null, ...s })),
  });
  /** Beats at these seconds, each read by the watcher right away. */
  const history = (runnerId: string, secs: number[]) => secs.reduce<Map<string, BeatHistory>>((h, sec) => observeBeats(h, [beat(runnerId, sec)], T + sec * 1000), new Map());

  it('a quiet runner is gone after the base silence, more than one missed beat', () => {
    const h = history('r1', [0, 3, 6, 9]);
    expect(silenceLimitMs(h.get('r1'))).toBe(RUNNER_SILENCE_MS);
    expect(RUNNER_SILENCE_MS).toBeGreaterThan(3 * 3_000);
    expect(aliveRunners(h, T + 18_900).has('r1')).toBe(true);
    expect(aliveRunners(h, T + 19_000).has('r1')).toBe(false);
  });

  it('a runner whose beats came late (a saturated machine) gets a grace scaled to its delays', () => {
    const h = history('r1', [0, 3, 11, 20, 27]);
    expect(silenceLimitMs(h.get('r1'))).toBe(27_000);
    // 20 s of silence: gone by the fixed limit, alive by its own.
    expect(aliveRunners(h, T + 47_000).has('r1')).toBe(true);
    expect(livenessAt([beat('r1', 27)], [{ sessionId: 's1', runnerId: 'r1', status: 'working' }], at(47), aliveRunners(h, T + 47_000)).lost).toEqual([]);
    expect(aliveRunners(h, T + 54_000).has('r1')).toBe(false);
    // Never beyond the cap.
    expect(silenceLimitMs(history('r1', [0, 100]).get('r1'))).toBe(MAX_RUNNER_SILENCE_MS);
  });

  it('judges silence on its own clock: a runner whose clock lags is not dead for it', () => {
    const lagging = [0, 3, 6].reduce<Map<string, BeatHistory>>((h, sec) => observeBeats(h, [beat('r1', sec - 30)], T + sec * 1000), observeBeats(new Map(), [beat('r1', -33)], T - 3_000));
    expect(aliveRunners(lagging, T + 7_000).has('r1')).toBe(true);
  });

  it('a lost session whose runner answers again and still lists it is reclaimed, with the epoch it runs under', () => {
    const hosted = [
      { sessionId: 's1', runnerId: 'r1', status: 'lost', until: at(30) },
      { sessionId: 's2', runnerId: 'r1', status: 'lost', until: at(30) },
      { sessionId: 's3', runnerId: 'r2', status: 'lost', until: at(30) },
    ];
    const sut = livenessAt([beat('r1', 20, [{ sessionId: 's1', epoch: 3 }]), beat('r2', 0, [{ sessionId: 's3', epoch: 1 }])], hosted, at(20), new Set(['r1']));
    expect(sut.reclaim).toEqual([{ sessionId: 's1', runnerId: 'r1', epoch: 3, pid: 7 }]);
    expect(sut.lost).toEqual([]);
    // s2: its runner is back without it; s3: its runner still silent — both wait out the hold.
    expect(sut.giveUp).toEqual([]);
  });

  it('a lost session held long enough, its runner not showing it, is given up (marked again, which moves it)', () => {
    const hosted = [
      { sessionId: 's2', runnerId: 'r1', status: 'lost', until: at(30) },
      { sessionId: 's3', runnerId: 'r2', status: 'lost', until: at(30) },
      { sessionId: 's4', runnerId: 'r2', status: 'lost', until: at(60) },
    ];
    const sut = livenessAt([beat('r1', 30, [])], hosted, at(30), new Set(['r1']));
    expect(sut.giveUp.map((s) => s.sessionId)).toEqual(['s2', 's3']);
  });
});
