import { formatDate, formatDateTime, formatRelative } from './time';

describe(formatRelative.name, () => {
  const now = Date.parse('2026-03-12T12:00:00.000Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it.each([
    [10_000, 'just now'],
    [4 * 60_000, '4 min ago'],
    [3 * 3600_000 + 59 * 60_000, '3 h ago'],
    [2 * 86_400_000, '2 d ago'],
    [30 * 86_400_000, '10 Feb 2026'],
  ])('says %i ms ago as "%s"', (ms, expected) => {
    expect(formatRelative(ago(ms), now)).toBe(expected);
  });

  it('shows a dash for a date it cannot read', () => {
    expect(formatRelative('soon', now)).toBe('—');
    expect(formatDate('soon')).toBe('—');
  });
});

describe(formatDateTime.name, () => {
  it('prints UTC to the second', () => {
    expect(formatDateTime('2026-03-12T14:05:09.123Z')).toBe('2026-03-12 14:05:09 UTC');
  });
});
