import { domainOf, formatDuration, sessionLanes, statusAt, statusSegments, timeScale } from './gantt';

const T0 = Date.parse('2026-03-01T14:30:00.000Z');
const at = (s: number) => new Date(T0 + s * 1_000).toISOString();

describe(timeScale.name, () => {
  it('maps the domain linearly onto the width, both ways', () => {
    const sut = timeScale(T0, T0 + 100_000, 1_000);
    expect(sut.x(T0)).toBe(0);
    expect(sut.x(T0 + 50_000)).toBe(500);
    expect(sut.t(250)).toBe(T0 + 25_000);
  });

  it('chooses round ticks about one per 90 px', () => {
    const sut = timeScale(T0 + 1_000, T0 + 86_000, 900);
    expect(sut.ticks.map((t) => t.label)).toEqual(['14:30:10', '14:30:20', '14:30:30', '14:30:40', '14:30:50', '14:31:00', '14:31:10', '14:31:20']);
    const hours = timeScale(T0, T0 + 6 * 3_600_000, 600);
    expect(hours.ticks[0].label).toBe('15:00'); // on the hour
    expect(hours.ticks.length).toBeLessThanOrEqual(7);
  });

  it('never divides by zero on an empty span', () => {
    expect(Number.isFinite(timeScale(T0, T0, 500).x(T0 + 1))).toBe(true);
  });
});

describe(sessionLanes.name, () => {
  const statuses = [
    { status: 'spawning' as const, from: at(0), reason: '' },
    { status: 'idle' as const, from: at(3), reason: 'registered' },
    { status: 'working' as const, from: at(5), reason: '' },
    { status: 'completed' as const, from: at(85), reason: '' },
  ];
  const e = (seq: number, s: number, kind: string, taskId: string | null = null, progress: number | null = null, message = '') => ({ seq, at: at(s), kind, taskId, progress, message }) as never;
  const timeline = [
    e(1, 0, 'session_started'),
    e(2, 5, 'task_started', 'T1'),
    e(3, 15, 'progress', 'T1', 0.25),
    e(4, 25, 'progress', 'T1', 0.5),
    e(5, 50, 'task_completed', 'T1'),
    e(6, 52, 'task_started', 'T2'),
    e(7, 70, 'error', 'T2', null, 'boom'),
    e(8, 80, 'needs_input', 'T2', null, 'red or blue?'),
    e(9, 85, 'session_stopped'),
  ];

  it('draws the reference timeline: lifecycle, one lane per task, progress marks and errors', () => {
    const sut = sessionLanes({ statuses, timeline }, T0 + 90_000, (id) => `task ${id}`);
    expect(sut.map((l) => l.label)).toEqual(['Lifecycle', 'task T1', 'task T2', 'Progress', 'Errors']);
    const [life, t1, t2, progress, errors] = sut;
    expect(life.segments.map((s) => [s.tone, (s.from - T0) / 1_000, (s.to - T0) / 1_000])).toEqual([
      ['spawning', 0, 3],
      ['idle', 3, 5],
      ['working', 5, 85],
      ['completed', 85, 90],
    ]);
    expect(life.marks.map((m) => m.kind)).toEqual(['start', 'stop']);
    expect(t1.segments).toEqual([expect.objectContaining({ tone: 'completed', from: T0 + 5_000, to: T0 + 50_000 })]);
    expect(t2.segments).toEqual([expect.objectContaining({ tone: 'processing', from: T0 + 52_000, to: T0 + 90_000 })]);
    expect(progress.marks.map((m) => [m.kind, m.value ?? null])).toEqual([
      ['progress', 0.25],
      ['progress', 0.5],
      ['input', null],
    ]);
    expect(errors.marks.map((m) => m.label)).toEqual(['error: boom']);
  });

  it('knows the status at any instant and the span to show', () => {
    expect(statusAt(statuses, T0 + 4_000)).toBe('idle');
    expect(statusAt(statuses, T0 - 1)).toBeNull();
    expect(statusAt(statuses, T0 + 999_000)).toBe('completed');
    const lanes = sessionLanes({ statuses, timeline }, T0 + 90_000);
    const [from, to] = domainOf(lanes, T0 + 90_000);
    expect(from).toBe(T0);
    expect(to).toBeGreaterThan(T0 + 90_000);
    expect(statusSegments([], T0)).toEqual([]);
  });
});

describe(formatDuration.name, () => {
  it.each([
    [450, '450 ms'],
    [1_234, '1.2 s'],
    [42_000, '42 s'],
    [184_000, '3 min 04 s'],
    [7_500_000, '2 h 05 min'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
