import type { RestartPolicy } from '@baton/events';

export interface RestartInput {
  policy: RestartPolicy;
  /** Restarts counted so far. */
  restarts: number;
  /** The run ended badly: non-zero exit, a signal, an error verdict, a lost runner, a stall. */
  failed: boolean;
  /** How long the last process ran; null if it never started. */
  lastRunMs: number | null;
  now: string;
  /** The template's stall action asked for a restart: the mode does not matter, the limit does. */
  forced?: boolean;
}

export type RestartDecision =
  | { restart: true; /** 1-based, as counted after this restart */ number: number; delayMs: number; notBefore: string }
  | { restart: false; reason: string };

/**
 * Restart policy (never | on-failure | always) with exponential backoff from `backoffMs`
 * up to `maxBackoffMs`, at most `maxRestarts` in a row; a run that lasted `resetAfterMs`
 * starts the count over (a crash loop backs off, a server that crashes once a day does not).
 */
export function decideRestart(input: RestartInput): RestartDecision {
  const { policy, failed, lastRunMs, now, forced = false } = input;
  if (!forced) {
    if (policy.mode === 'never') return { restart: false, reason: 'restart policy is never' };
    if (policy.mode === 'on-failure' && !failed) return { restart: false, reason: 'it ended cleanly' };
  }
  const counted = policy.resetAfterMs !== null && lastRunMs !== null && lastRunMs >= policy.resetAfterMs ? 0 : input.restarts;
  if (counted >= policy.maxRestarts) {
    return { restart: false, reason: policy.maxRestarts === 0 ? 'no restarts allowed' : `gave up after ${counted} restart${counted === 1 ? '' : 's'}` };
  }
  const delayMs = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** counted);
  return { restart: true, number: counted + 1, delayMs, notBefore: new Date(Date.parse(now) + delayMs).toISOString() };
}
