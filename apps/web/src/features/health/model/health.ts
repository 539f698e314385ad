export type HealthStatus = 'connecting' | 'connected' | 'degraded' | 'offline';

export interface HealthState {
  status: HealthStatus;
  /** What the gateway said about each dependency (`nats: true`), when it said it. */
  checks: Record<string, boolean>;
  /** Why it is not `connected`, in a few words. */
  reason: string | null;
  checkedAt: number | null;
  /** Connected at some point since the page loaded. */
  everConnected: boolean;
}

export type HealthProbe =
  | { kind: 'answer'; status: number; body: unknown; at: number }
  | { kind: 'no_answer'; reason: 'timeout' | 'network'; at: number };

export const initialHealth = (): HealthState => ({ status: 'connecting', checks: {}, reason: null, checkedAt: null, everConnected: false });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checksOf(body: unknown): Record<string, boolean> {
  // Readiness answers `{ status, checks }`; a 503 may wrap that in Baton's `{ error }` shape.
  const raw = isRecord(body) ? (isRecord(body.checks) ? body.checks : isRecord(body.error) && isRecord(body.error.details) && isRecord(body.error.details.checks) ? body.error.details.checks : {}) : {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
}

/** Folds one poll of `GET /health/ready` into the indicator's state. */
export function evolveHealth(prev: HealthState, probe: HealthProbe): HealthState {
  if (probe.kind === 'no_answer') {
    return { ...prev, status: 'offline', checks: {}, reason: probe.reason === 'timeout' ? 'gateway did not answer in time' : 'gateway unreachable', checkedAt: probe.at };
  }
  const checks = checksOf(probe.body);
  if (probe.status >= 200 && probe.status < 300) {
    return { status: 'connected', checks, reason: null, checkedAt: probe.at, everConnected: true };
  }
  const failing = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  // A proxy in front of a stopped gateway answers 502/504: that is offline, not degraded.
  if (probe.status === 502 || probe.status === 504) return { ...prev, status: 'offline', checks: {}, reason: 'gateway unreachable', checkedAt: probe.at };
  return { ...prev, status: 'degraded', checks, reason: failing.length ? `${failing.join(', ')} not ready` : `gateway answered ${probe.status}`, checkedAt: probe.at };
}

export function healthLabel(status: HealthStatus): string {
  switch (status) {
    case 'connecting':
      return 'Connecting';
    case 'connected':
      return 'Connected';
    case 'degraded':
      return 'Degraded';
    case 'offline':
      return 'Offline';
  }
}
