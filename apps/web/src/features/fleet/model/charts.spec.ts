import { cumulative, histogram, niceMax } from './charts';

describe(niceMax.name, () => {
  it.each([
    [0, 1],
    [3, 5],
    [7, 10],
    [12, 20],
    [240, 250],
  ])('%d → %d', (n, want) => expect(niceMax(n)).toBe(want));
});

describe(histogram.name, () => {
  it('buckets values over a nice range', () => {
    expect(histogram([0, 1, 4, 9, 10], 5)).toEqual({ max: 10, counts: [2, 0, 1, 0, 2] });
  });
});

describe(cumulative.name, () => {
  it('counts up in time order', () => {
    expect(cumulative([30, 10, 20])).toEqual([
      { t: 10, n: 1 },
      { t: 20, n: 2 },
      { t: 30, n: 3 },
    ]);
  });
});
