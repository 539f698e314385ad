import { timelineMarkers, toAsciicast } from './asciicast';

describe(toAsciicast.name, () => {
  const header = { width: 120, height: 40, timestamp: 1767261600.9, title: 'claude-code on t1' };

  it('writes asciicast v2: a header line, then [time, "o", data] per chunk', () => {
    const cast = toAsciicast(header, [
      { t: 0, data: '$ claude\r\n' },
      { t: 0.25, data: 'Hello \u001b[1mworld\u001b[0m\r\n' },
      { t: 1.5, data: '✓ done\r\n' },
    ]);
    const lines = cast.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ version: 2, width: 120, height: 40, timestamp: 1767261600, title: 'claude-code on t1' });
    expect(lines.slice(1)).toEqual([
      [0, 'o', '$ claude\r\n'],
      [0.25, 'o', 'Hello \u001b[1mworld\u001b[0m\r\n'],
      [1.5, 'o', '✓ done\r\n'],
    ]);
    expect(cast.endsWith('\n')).toBe(true);
  });

  it('never goes back in time and drops empty chunks', () => {
    const lines = toAsciicast(header, [{ t: 2, data: 'a' }, { t: 1, data: 'b' }, { t: 3, data: '' }, { t: Number.NaN, data: 'c' }])
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      [2, 'o', 'a'],
      [2, 'o', 'b'],
      [2, 'o', 'c'],
    ]);
  });

  it('adds timeline entries as markers so the player seeks by them', () => {
    const markers = timelineMarkers('2026-01-01T10:00:00.000Z', [
      { at: '2026-01-01T10:00:01.500Z', kind: 'task_started', message: 'Add login' },
      { at: '2026-01-01T09:59:00.000Z', kind: 'session_started', message: 'requested\nwith newline' },
    ]);
    expect(markers).toEqual([
      { t: 1.5, label: 'task_started: Add login' },
      { t: 0, label: 'session_started: requested\nwith newline' },
    ]);
    const lines = toAsciicast(header, [{ t: 1.5, data: 'x' }], markers).trimEnd().split('\n').slice(1).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      [0, 'm', 'session_started: requested with newline'],
      [1.5, 'm', 'task_started: Add login'],
      [1.5, 'o', 'x'],
    ]);
  });

  it('keeps the header valid with odd sizes and no optional fields', () => {
    expect(JSON.parse(toAsciicast({ width: 0, height: 10.7, timestamp: 5 }, []).trim())).toEqual({ version: 2, width: 1, height: 10, timestamp: 5 });
  });
});
