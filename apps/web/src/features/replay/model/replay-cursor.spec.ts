import { parseCast, ReplayCursor } from './replay-cursor';

const cast = [
  JSON.stringify({ version: 2, width: 100, height: 30, timestamp: 1772375400 }),
  JSON.stringify([0.5, 'm', 'session_started: up']),
  JSON.stringify([0.5, 'o', 'a']),
  JSON.stringify([1.0, 'o', 'b']),
  'not json',
  JSON.stringify([2.5, 'o', 'c']),
  JSON.stringify([4.0, 'o', 'd']),
].join('\n');

describe(parseCast.name, () => {
  it('reads the header, output frames and markers, skipping bad lines', () => {
    const sut = parseCast(cast);
    expect(sut).toMatchObject({ width: 100, height: 30, duration: 4, startMs: 1772375400_000 });
    expect(sut.frames.map((f) => f.data).join('')).toBe('abcd');
    expect(sut.markers).toEqual([{ t: 0.5, label: 'session_started: up' }]);
  });

  it('sets the start to the millisecond from a marker that names a timeline entry', () => {
    const sut = parseCast(cast, [{ at: '2026-03-01T14:30:00.750Z', kind: 'session_started', message: 'up' }]);
    expect(sut.startMs).toBe(Date.parse('2026-03-01T14:30:00.250Z'));
  });
});

describe(ReplayCursor.name, () => {
  const frames = parseCast(cast).frames;

  it('plays forward by writing only the frames in between', () => {
    const sut = new ReplayCursor(frames);
    expect(sut.seek(0.75)).toEqual({ reset: false, data: 'a' });
    expect(sut.advance(0.25)).toEqual({ reset: false, data: 'b' }); // a frame at exactly t is on screen at t
    expect(sut.advance(1)).toEqual({ reset: false, data: '' });
    expect(sut.advance(16)).toEqual({ reset: false, data: 'cd' }); // ×16 for a second
    expect(sut.index).toBe(4);
  });

  it('seeks backwards by resetting and rewriting up to the instant', () => {
    const sut = new ReplayCursor(frames);
    sut.seek(10);
    expect(sut.seek(1.2)).toEqual({ reset: true, data: 'ab' });
    expect(sut.position).toBe(1.2);
    expect(sut.seek(0)).toEqual({ reset: true, data: '' });
    expect(sut.seek(-5)).toEqual({ reset: false, data: '' });
    expect(sut.position).toBe(0);
  });
});
