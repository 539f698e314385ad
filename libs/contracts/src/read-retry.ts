/*
 * A read the gateway could not answer in time — most often because its read model has not yet
 * reached the caller's `minSeq` on a busy machine — is a 503 with `Retry-After` (issue #13:
 * reads degrade by slowing down). The CLI and the web app retry such a GET for a while instead
 * of failing the screen or the command line; these are their shared rules.
 */

/** How long a client keeps retrying one read before it shows the 503. */
export const READ_RETRY_BUDGET_MS = 60_000;

/** What the gateway sends with a 503: seconds. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * How long to wait before retry number `attempt` (1, 2, …): the server's `Retry-After` (seconds,
 * or an HTTP date) when it gives one, else 0.5 s doubling; never under 250 ms nor over 5 s.
 */
export function readRetryDelayMs(retryAfter: string | null | undefined, attempt: number, now = Date.now()): number {
  let ms = 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 4);
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) ms = seconds * 1_000;
    else {
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) ms = at - now;
    }
  }
  return Math.min(5_000, Math.max(250, ms));
}

/** Whether a GET that answered `status` after `elapsedMs` is tried again after `delayMs`. */
export function shouldRetryRead(status: number, elapsedMs: number, delayMs: number): boolean {
  return status === 503 && elapsedMs + delayMs <= READ_RETRY_BUDGET_MS;
}
