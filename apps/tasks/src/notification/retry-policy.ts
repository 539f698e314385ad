/** When a failed try is tried again (decision 0027): exponential from 2 s, capped at 5 min, given up after 10 tries. */
export const RETRY = { firstDelayMs: 2_000, maxDelayMs: 300_000, maxAttempts: 10 } as const;

export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/** What a try's outcome means: delivered, try again later, or never (the receiver refused it for good). */
export type TryVerdict = 'delivered' | 'retry' | 'refused';

/** 2xx delivered; a network error, timeout, 408, 429 or 5xx is worth another try; any other 4xx (and 3xx: redirects are not followed) is not. */
export function verdictOf(status: number | null): TryVerdict {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/** The wait after try number `attempts` (1-based) failed; null: no more tries. `jitter` in [0, 1) spreads retries of many deliveries. */
export function retryDelayMs(attempts: number, policy: RetryPolicy = RETRY, jitter = 0): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const exp = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempts - 1));
  return Math.min(policy.maxDelayMs, Math.round(exp * (1 + 0.2 * jitter)));
}
