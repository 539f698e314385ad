import type { SchedulerInput } from './scheduler-snapshot';
import type { RunningSession } from './scheduler';

/** A `session.place` the scheduler sent that the read model does not show yet. */
export interface InflightPlacement {
  sessionId: string;
  runnerId: string;
  /** The pending episode it placed (the row's `pendingSeq` then). */
  pendingSeq: number;
  sentAt: string;
}

/** After this long a placement that never showed is planned again (same episode, maybe another runner). */
export const INFLIGHT_MAX_AGE_MS = 30_000;

/**
 * The read model lags the commands the scheduler just sent. Until it shows them, a placed
 * session still looks pending and its slot free: the next plan could give that slot to a
 * second session. So a placement in flight counts as running on its runner, and drops out
 * once the read model moved on (the session left that pending episode) or it grew too old.
 */
export function applyInflight(
  input: SchedulerInput,
  inflight: ReadonlyMap<string, InflightPlacement>,
  now: string,
  maxAgeMs = INFLIGHT_MAX_AGE_MS,
): { input: SchedulerInput; inflight: Map<string, InflightPlacement> } {
  const pending = new Map(input.pending.map((p) => [p.sessionId, p]));
  const keep = new Map<string, InflightPlacement>();
  const moved: RunningSession[] = [];
  const nowMs = Date.parse(now);
  for (const f of inflight.values()) {
    const p = pending.get(f.sessionId);
    if (!p || input.pendingSeqs[f.sessionId] !== f.pendingSeq) continue;
    if (nowMs - Date.parse(f.sentAt) > maxAgeMs) continue;
    keep.set(f.sessionId, f);
    moved.push({ sessionId: f.sessionId, runnerId: f.runnerId, projectId: p.projectId, templateId: p.templateId, starting: true });
  }
  if (!keep.size) return { input, inflight: keep };
  return {
    input: { ...input, pending: input.pending.filter((p) => !keep.has(p.sessionId)), running: [...input.running, ...moved] },
    inflight: keep,
  };
}
