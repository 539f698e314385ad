import { formatPercent, parseProgress, progressBar } from './progress';

describe(parseProgress.name, () => {
  it.each([
    ['0.5', 0.5],
    ['.25', 0.25],
    ['1', 1],
    ['0', 0],
    ['40%', 0.4],
    ['12.5%', 0.125],
    ['100%', 1],
    ['75', 0.75],
  ])('reads %s as %d', (input, expected) => expect(parseProgress(input)).toBe(expected));

  it.each(['-1', '101', '150%', 'half', '', '0.5.1', '1e3'])('refuses %j', (input) => expect(() => parseProgress(input)).toThrow(/must be/));
});

describe(progressBar.name, () => {
  it('draws a fixed-width bar with the percentage', () => {
    expect(progressBar(0.5, 10)).toBe('[█████░░░░░]  50%');
    expect(progressBar(1, 4)).toBe('[████] 100%');
    expect(progressBar(-3, 4)).toBe('[░░░░]   0%');
  });
  it('rounds the percentage', () => expect(formatPercent(0.256)).toBe('26%'));
});
