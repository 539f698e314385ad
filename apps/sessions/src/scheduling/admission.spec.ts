import type { RunnerHeartbeat } from '@baton/events';
import { applyInflight } from './inflight';
import { planPlacements, type Caps, type PendingSession, type RunnerSnapshot, type RunningSession } from './scheduler';
import { admissionOf } from './scheduler-snapshot';

/* Admission (docs/decisions/0026): a runner takes starts at the pace its machine can take; the rest wait `pending`, in order, with the reason. */
const now = '2026-01-01T10:00:00.000Z';
const noCaps: Caps = { global: null, perProject: {}, perTemplate: {}, perRunner: {} };
const pending = (sessionId: string): PendingSession => ({ sessionId, projectId: 'p1', templateId: 'demo', labels: {}, notBefore: null, preferRunnerId: null });
const runner = (runnerId: string, capacity: number, o: Partial<RunnerSnapshot> = {}): RunnerSnapshot => ({ runnerId, capacity, labels: {}, alive: true, draining: false, ...o });
const on = (runnerId: string, n: number, starting: boolean): RunningSession[] =>
  Array.from({ length: n }, (_, i) => ({ sessionId: `${runnerId}-${starting ? 'starting' : 'ready'}-${i}`, runnerId, projectId: 'p1', templateId: 'demo', starting }));
const queue = (n: number) => Array.from({ length: n }, (_, i) => pending(`s${String(i).padStart(3, '0')}`));
const heartbeat = (admission: RunnerHeartbeat['admission']): RunnerHeartbeat => ({ runnerId: 'r1', at: now, sessions: [], admission });

describe('admission', () => {
  it('starts no more at once than the runner takes, though it has slots for all; the rest wait in order, saying why', () => {
    const sut = planPlacements(queue(100), [runner('r1', 100, { maxStarting: 4 })], [], noCaps, now);
    expect(sut.placements.map((p) => p.sessionId)).toEqual(['s000', 's001', 's002', 's003']);
    expect(sut.waiting).toHaveLength(96);
    expect(sut.waiting[0]).toEqual({ sessionId: 's004', position: 1, reason: 'runner_starting', detail: 'runner r1 is starting 4 of at most 4 at once' });
    expect(sut.waiting.map((w) => w.sessionId)).toEqual(queue(100).slice(4).map((p) => p.sessionId));
  });

  it('counts sessions still starting there, not those that are ready', () => {
    const sut = planPlacements(queue(5), [runner('r1', 100, { maxStarting: 4 })], [...on('r1', 3, true), ...on('r1', 50, false)], noCaps, now);
    expect(sut.placements.map((p) => p.sessionId)).toEqual(['s000']);
  });

  it('placements still in flight count as starting', () => {
    const input = { pending: queue(6), runners: [runner('r1', 100, { maxStarting: 4 })], running: [], caps: noCaps, pendingSeqs: Object.fromEntries(queue(6).map((p, i) => [p.sessionId, i + 1])) };
    const inflight = new Map(['s000', 's001', 's002'].map((id, i) => [id, { sessionId: id, runnerId: 'r1', pendingSeq: i + 1, sentAt: now }]));
    const { input: next } = applyInflight(input, inflight, now);
    expect(planPlacements(next.pending, next.runners, next.running, noCaps, now).placements.map((p) => p.sessionId)).toEqual(['s003']);
  });

  it('over its load limit a runner takes fewer starts at once, never none', () => {
    expect(admissionOf(heartbeat({ maxStarting: 4, load: 1.2, loadLimit: 2, maxStartingOverLoad: 1 }))).toEqual({ maxStarting: 4 });
    const loaded = admissionOf(heartbeat({ maxStarting: 4, load: 3.5, loadLimit: 2, maxStartingOverLoad: 1 }));
    expect(loaded).toEqual({ maxStarting: 1, admissionNote: 'load 3.5 per core is over its limit 2' });
    const sut = planPlacements(queue(3), [runner('r1', 100, loaded)], [], noCaps, now);
    expect(sut.placements).toHaveLength(1);
    expect(sut.waiting[0].detail).toBe('runner r1 is starting 1 of at most 1 at once: load 3.5 per core is over its limit 2');
    // A runner older than admission announces nothing: only its slots count.
    expect(admissionOf({ runnerId: 'r1', at: now, sessions: [] })).toEqual({});
  });

  it('a runner at its start limit does not hold back sessions another runner can start', () => {
    const sut = planPlacements(queue(3), [runner('r1', 100, { maxStarting: 1 }), runner('r2', 100, { maxStarting: 1 })], on('r1', 1, true), noCaps, now);
    expect(sut.placements).toEqual([{ sessionId: 's000', runnerId: 'r2' }]);
    expect(sut.waiting.map((w) => w.reason)).toEqual(['runner_starting', 'runner_starting']);
  });
});
