/** Small, pure helpers for the hand-drawn SVG charts. */

/** A "nice" upper bound for an axis: 1, 2, 2.5, 5 × 10^n at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Counts of `values` in `bins` equal-width buckets over [0, max]. */
export function histogram(values: readonly number[], bins: number): { max: number; counts: number[] } {
  const max = niceMax(Math.max(0, ...values));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v / max) * bins)))]++;
  return { max, counts };
}

/** Cumulative count over time: one step per instant (sorted). */
export function cumulative(instants: readonly number[]): { t: number; n: number }[] {
  return [...instants].sort((a, b) => a - b).map((t, i) => ({ t, n: i + 1 }));
}
