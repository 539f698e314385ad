import { READ_RETRY_BUDGET_MS, readRetryDelayMs, shouldRetryRead } from './read-retry';

describe('read retries', () => {
  it("waits what the server's Retry-After says (seconds or a date), within 250 ms – 5 s", () => {
    expect(readRetryDelayMs('1', 1)).toBe(1_000);
    expect(readRetryDelayMs('0', 3)).toBe(250);
    expect(readRetryDelayMs('120', 1)).toBe(5_000);
    const now = Date.parse('2026-12-07T20:00:00Z');
    expect(readRetryDelayMs('Mon, 07 Dec 2026 20:00:02 GMT', 1, now)).toBe(2_000);
  });

  it('backs off from 0.5 s when the server says nothing (or nonsense)', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => readRetryDelayMs(null, n))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(readRetryDelayMs('soon', 2)).toBe(1_000);
  });

  it('retries only a 503, and only within the budget', () => {
    expect(shouldRetryRead(503, 0, 1_000)).toBe(true);
    expect(shouldRetryRead(503, READ_RETRY_BUDGET_MS - 1_000, 1_000)).toBe(true);
    expect(shouldRetryRead(503, READ_RETRY_BUDGET_MS - 999, 1_000)).toBe(false);
    for (const status of [500, 502, 504, 404, 429]) expect(shouldRetryRead(status, 0, 1_000)).toBe(false);
  });
});
