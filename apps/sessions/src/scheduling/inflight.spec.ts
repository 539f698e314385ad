import { applyInflight, INFLIGHT_MAX_AGE_MS, type InflightPlacement } from './inflight';
import { planPlacements } from './scheduler';
import type { SchedulerInput } from './scheduler-snapshot';

const now = '2026-01-01T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
const pending = (sessionId: string) => ({ sessionId, projectId: 'p1', templateId: 'shell', labels: {}, notBefore: null, preferRunnerId: null });
const input = (o: Partial<SchedulerInput> = {}): SchedulerInput => ({
  pending: [pending('a'), pending('b')],
  runners: [{ runnerId: 'r1', capacity: 1, labels: {}, alive: true, draining: false }],
  running: [],
  caps: { global: null, perProject: {}, perTemplate: {}, perRunner: {} },
  pendingSeqs: { a: 10, b: 11 },
  ...o,
});
const sent = (o: Partial<InflightPlacement> = {}): InflightPlacement => ({ sessionId: 'a', runnerId: 'r1', pendingSeq: 10, sentAt: now, ...o });

describe(applyInflight.name, () => {
  it('counts a placement the read model does not show yet as running: its slot is not given away', () => {
    const sut = applyInflight(input(), new Map([['a', sent()]]), later(500));
    expect(sut.input.pending.map((p) => p.sessionId)).toEqual(['b']);
    expect(sut.input.running).toEqual([{ sessionId: 'a', runnerId: 'r1', projectId: 'p1', templateId: 'shell', starting: true }]);
    expect(planPlacements(sut.input.pending, sut.input.runners, sut.input.running, sut.input.caps, now).placements).toEqual([]);
    expect(sut.inflight.has('a')).toBe(true);
  });

  it('forgets it once the read model moved on: placed, or pending again in a new episode', () => {
    expect(applyInflight(input({ pending: [pending('b')] }), new Map([['a', sent()]]), now).inflight.size).toBe(0);
    const again = applyInflight(input({ pendingSeqs: { a: 42, b: 11 } }), new Map([['a', sent()]]), now);
    expect(again.inflight.size).toBe(0);
    expect(again.input.pending.map((p) => p.sessionId)).toEqual(['a', 'b']);
  });

  it('plans a placement again when it never showed', () => {
    const sut = applyInflight(input(), new Map([['a', sent()]]), later(INFLIGHT_MAX_AGE_MS + 1));
    expect(sut.inflight.size).toBe(0);
    expect(sut.input.pending).toHaveLength(2);
  });
});
