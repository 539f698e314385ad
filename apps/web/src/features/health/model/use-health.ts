import { useEffect, useReducer } from 'react';
import { evolveHealth, initialHealth, type HealthState } from './health';

export const HEALTH_INTERVAL_MS = 5_000;
const PROBE_TIMEOUT_MS = 4_000;

async function probe(signal: AbortSignal) {
  const at = Date.now();
  try {
    const res = await fetch('/health/ready', { signal: AbortSignal.any([signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]), cache: 'no-store' });
    const body: unknown = await res.json().catch(() => undefined);
    return { kind: 'answer' as const, status: res.status, body, at };
  } catch (e) {
    return { kind: 'no_answer' as const, reason: (e as Error).name === 'TimeoutError' ? ('timeout' as const) : ('network' as const), at };
  }
}

/** Polls the gateway's readiness every 5 s (and at once when the tab or network comes back). */
export function useHealth(intervalMs = HEALTH_INTERVAL_MS): { data: HealthState; connected: boolean; error: string | null } {
  const [data, dispatch] = useReducer(evolveHealth, undefined, initialHealth);

  useEffect(() => {
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const tick = async () => {
      clearTimeout(timer);
      if (running) return;
      running = true;
      const p = await probe(stop.signal);
      running = false;
      if (stop.signal.aborted) return;
      dispatch(p);
      timer = setTimeout(tick, intervalMs);
    };
    const now = () => void tick();
    const onVisible = () => document.visibilityState === 'visible' && now();
    window.addEventListener('online', now);
    document.addEventListener('visibilitychange', onVisible);
    now();
    return () => {
      stop.abort();
      clearTimeout(timer);
      window.removeEventListener('online', now);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);

  return { data, connected: data.status === 'connected', error: data.reason };
}
