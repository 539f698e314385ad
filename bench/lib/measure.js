'use strict';

/** Calls `fn(i)` for i in [0, n) with at most `window` calls in flight; stops at the first failure. */
async function pipelined(n, window, fn) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < n) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
}

/** Wall time of `fn` in ms. */
async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

/** Nearest-rank percentile of unsorted samples. */
function percentile(samples, p) {
  if (!samples.length) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const rate = (count, ms) => Math.round((count / ms) * 1000);
const round = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

module.exports = { pipelined, timed, percentile, rate, round };
