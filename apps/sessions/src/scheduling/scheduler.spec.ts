import { labelsMatch, place, planPlacements, type Caps, type PendingSession, type RunnerSnapshot, type RunningSession } from './scheduler';

const now = '2026-01-01T10:00:00.000Z';
const noCaps: Caps = { global: null, perProject: {}, perTemplate: {}, perRunner: {} };
const caps = (o: Partial<Caps>): Caps => ({ ...noCaps, ...o });
const pending = (sessionId: string, o: Partial<PendingSession> = {}): PendingSession => ({
  sessionId,
  projectId: 'p1',
  templateId: 'claude-code',
  labels: {},
  notBefore: null,
  preferRunnerId: null,
  ...o,
});
const runner = (runnerId: string, capacity: number, o: Partial<RunnerSnapshot> = {}): RunnerSnapshot => ({ runnerId, capacity, labels: {}, alive: true, draining: false, ...o });
const runningOn = (runnerId: string, n: number, o: Partial<RunningSession> = {}): RunningSession[] =>
  Array.from({ length: n }, (_, i) => ({ sessionId: `${runnerId}-busy-${i}`, runnerId, projectId: 'p1', templateId: 'claude-code', ...o }));

describe(planPlacements.name, () => {
  it('places in queue order while there is room', () => {
    expect(place([pending('a'), pending('b'), pending('c')], [runner('r1', 2)], [], noCaps, now)).toEqual([
      { sessionId: 'a', runnerId: 'r1' },
      { sessionId: 'b', runnerId: 'r1' },
    ]);
  });

  it('never exceeds a runner’s capacity, counting what already runs there', () => {
    const r = planPlacements([pending('a'), pending('b')], [runner('r1', 3)], runningOn('r1', 2), noCaps, now);
    expect(r.placements).toEqual([{ sessionId: 'a', runnerId: 'r1' }]);
    expect(r.waiting).toEqual([{ sessionId: 'b', position: 1, reason: 'no_free_runner', detail: '1 matching runner is full' }]);
  });

  it('spreads load: the runner with the most free slots first, ties by id', () => {
    const placements = place([pending('a'), pending('b'), pending('c')], [runner('r2', 4), runner('r1', 4), runner('r3', 2)], runningOn('r2', 1), noCaps, now);
    expect(placements).toEqual([
      { sessionId: 'a', runnerId: 'r1' },
      { sessionId: 'b', runnerId: 'r1' },
      { sessionId: 'c', runnerId: 'r2' },
    ]);
  });

  it('prefers the runner a session ran on before (its worktree is there) when it has room', () => {
    expect(place([pending('a', { preferRunnerId: 'r2' })], [runner('r1', 8), runner('r2', 1)], [], noCaps, now)).toEqual([{ sessionId: 'a', runnerId: 'r2' }]);
    expect(place([pending('a', { preferRunnerId: 'r2' })], [runner('r1', 8), runner('r2', 1)], runningOn('r2', 1), noCaps, now)).toEqual([{ sessionId: 'a', runnerId: 'r1' }]);
  });

  it('skips dead and draining runners', () => {
    const r = planPlacements([pending('a')], [runner('r1', 4, { alive: false }), runner('r2', 4, { draining: true })], [], noCaps, now);
    expect(r.placements).toEqual([]);
    expect(r.waiting[0]).toMatchObject({ reason: 'no_matching_runner', detail: 'no live runner' });
  });

  it('matches label selectors: every label, same value', () => {
    const runners = [runner('cpu', 4, { labels: { os: 'linux' } }), runner('gpu', 4, { labels: { os: 'linux', gpu: 'a100' } })];
    expect(place([pending('a', { labels: { gpu: 'a100' } })], runners, [], noCaps, now)).toEqual([{ sessionId: 'a', runnerId: 'gpu' }]);
    const r = planPlacements([pending('a', { labels: { gpu: 'h100' } })], runners, [], noCaps, now);
    expect(r.waiting[0]).toMatchObject({ reason: 'no_matching_runner', detail: 'no live runner has gpu=h100' });
    expect(labelsMatch({}, { any: 'thing' })).toBe(true);
    expect(labelsMatch({ os: 'linux' }, {})).toBe(false);
  });

  it('respects the global cap, counting running sessions, and stops everyone at it', () => {
    const r = planPlacements([pending('a'), pending('b'), pending('c', { projectId: 'p2' })], [runner('r1', 10)], runningOn('r1', 1), caps({ global: 2 }), now);
    expect(r.placements).toEqual([{ sessionId: 'a', runnerId: 'r1' }]);
    expect(r.waiting.map((w) => [w.sessionId, w.reason])).toEqual([
      ['b', 'global_cap'],
      ['c', 'global_cap'],
    ]);
  });

  it('respects the per-project cap; other projects go ahead (FIFO within what competes)', () => {
    const queue = [pending('a'), pending('b'), pending('c', { projectId: 'p2' }), pending('d')];
    const r = planPlacements(queue, [runner('r1', 10)], runningOn('r1', 1), caps({ perProject: { p1: 2 } }), now);
    expect(r.placements.map((p) => p.sessionId)).toEqual(['a', 'c']);
    expect(r.waiting).toEqual([
      { sessionId: 'b', position: 1, reason: 'project_cap', detail: 'project p1 runs 2 of 2' },
      { sessionId: 'd', position: 2, reason: 'project_cap', detail: 'project p1 runs 2 of 2' },
    ]);
  });

  it('respects the per-template cap (a shared credential)', () => {
    const queue = [pending('a'), pending('b'), pending('c', { templateId: 'codex' })];
    const r = planPlacements(queue, [runner('r1', 10)], [], caps({ perTemplate: { 'claude-code': 1 } }), now);
    expect(r.placements.map((p) => p.sessionId)).toEqual(['a', 'c']);
    expect(r.waiting[0]).toMatchObject({ sessionId: 'b', reason: 'template_cap', detail: 'template claude-code runs 1 of 1' });
  });

  it('respects an operator’s per-runner cap below its capacity', () => {
    expect(place([pending('a'), pending('b')], [runner('r1', 8)], [], caps({ perRunner: { r1: 1 } }), now)).toEqual([{ sessionId: 'a', runnerId: 'r1' }]);
  });

  it('waits out a restart backoff without holding back the queue behind it', () => {
    const r = planPlacements([pending('a', { notBefore: '2026-01-01T10:00:05.000Z' }), pending('b')], [runner('r1', 1)], [], noCaps, now);
    expect(r.placements).toEqual([{ sessionId: 'b', runnerId: 'r1' }]);
    expect(r.waiting[0]).toMatchObject({ sessionId: 'a', reason: 'backoff' });
    expect(place([pending('a', { notBefore: now })], [runner('r1', 1)], [], noCaps, now)).toHaveLength(1);
  });

  it('an earlier session keeps its turn when a slot frees: the head is placed before anyone behind it', () => {
    const queue = [pending('old'), pending('new')];
    expect(place(queue, [runner('r1', 2)], runningOn('r1', 1), noCaps, now)).toEqual([{ sessionId: 'old', runnerId: 'r1' }]);
  });

  it('places each session once even if the queue lists it twice', () => {
    expect(place([pending('a'), pending('a')], [runner('r1', 5)], [], noCaps, now)).toHaveLength(1);
  });

  it('holds every cap at once on a large random fleet', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const runners = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
        runner(`r${i}`, Math.floor(random() * 5), { labels: random() < 0.5 ? { gpu: 'yes' } : {}, alive: random() < 0.9, draining: random() < 0.1 }),
      );
      const projects = ['p1', 'p2', 'p3'];
      const templates = ['claude-code', 'codex'];
      const running = runners.flatMap((r) =>
        Array.from({ length: Math.floor(random() * (r.capacity + 1)) }, (_, i) => ({
          sessionId: `${r.runnerId}-${i}`,
          runnerId: r.runnerId,
          projectId: projects[Math.floor(random() * 3)],
          templateId: templates[Math.floor(random() * 2)],
        })),
      );
      const queue = Array.from({ length: Math.floor(random() * 30) }, (_, i) =>
        pending(`s${i}`, { projectId: projects[Math.floor(random() * 3)], templateId: templates[Math.floor(random() * 2)], labels: random() < 0.3 ? { gpu: 'yes' } : {} }),
      );
      const c = caps({ global: 5 + Math.floor(random() * 20), perProject: { p1: 3, p2: null }, perTemplate: { codex: 2 } });
      const { placements, waiting } = planPlacements(queue, runners, running, c, now);
      const all = [...running, ...placements.map((p) => ({ ...queue.find((q) => q.sessionId === p.sessionId)!, runnerId: p.runnerId }))];
      const count = (f: (s: (typeof all)[number]) => boolean) => all.filter(f).length;
      if (placements.length) expect(all.length).toBeLessThanOrEqual(Math.max(c.global!, running.length));
      for (const r of runners) {
        const placedHere = placements.filter((p) => p.runnerId === r.runnerId).length;
        if (placedHere) {
          expect(r.alive && !r.draining).toBe(true);
          expect(count((s) => s.runnerId === r.runnerId)).toBeLessThanOrEqual(r.capacity);
        }
      }
      for (const p of placements) {
        const q = queue.find((s) => s.sessionId === p.sessionId)!;
        expect(labelsMatch(q.labels, runners.find((r) => r.runnerId === p.runnerId)!.labels)).toBe(true);
      }
      if (placements.some((p) => queue.find((q) => q.sessionId === p.sessionId)!.projectId === 'p1')) expect(count((s) => s.projectId === 'p1')).toBeLessThanOrEqual(Math.max(3, running.filter((s) => s.projectId === 'p1').length));
      if (placements.some((p) => queue.find((q) => q.sessionId === p.sessionId)!.templateId === 'codex')) expect(count((s) => s.templateId === 'codex')).toBeLessThanOrEqual(Math.max(2, running.filter((s) => s.templateId === 'codex').length));
      expect(placements.length + waiting.length).toBe(queue.length);
      expect(waiting.map((w) => w.position)).toEqual(waiting.map((_, i) => i + 1));
    }
  });
});
