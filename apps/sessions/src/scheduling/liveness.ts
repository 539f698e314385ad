import type { RunnerHeartbeat } from '@baton/events';

/** A runner that has not put a heartbeat for this long is gone; its sessions are lost (DESIGN: within 15 s). */
export const RUNNER_SILENCE_MS = 10_000;

export interface HostedSession {
  sessionId: string;
  runnerId: string;
  /** Spawning or running: holds a slot on its runner. */
  status: string;
}

/**
 * Pure view of the KV heartbeats at `now`: which runners are alive, and which hosted
 * sessions to mark lost (their runner's heartbeat is older than `silenceMs`, or absent).
 * A heartbeat every 3 s and a 10 s silence make "lost within 15 s" hold with one tick of
 * the watcher every 2 s.
 */
export function livenessAt(heartbeats: RunnerHeartbeat[], hosted: HostedSession[], now: string, silenceMs = RUNNER_SILENCE_MS) {
  const nowMs = Date.parse(now);
  const alive = new Set(heartbeats.filter((h) => nowMs - Date.parse(h.at) < silenceMs).map((h) => h.runnerId));
  const lost = hosted.filter((s) => s.status !== 'lost' && !alive.has(s.runnerId));
  const lastOutput = new Map<string, string | null>();
  for (const h of heartbeats) for (const s of h.sessions) lastOutput.set(s.sessionId, s.lastOutputAt);
  return { alive, lost, lastOutputAt: (sessionId: string) => lastOutput.get(sessionId) ?? null };
}

/**
 * The newest heartbeat known per runner: what the KV shows now, plus what it showed before
 * for runners missing from this read. A runner is gone when its last heartbeat is old,
 * not when one read of the bucket came back without it (an entry aged out, a glitch).
 * Entries older than `forgetAfterMs` are dropped.
 */
export function mergeHeartbeats(known: ReadonlyMap<string, RunnerHeartbeat>, current: RunnerHeartbeat[], now: string, forgetAfterMs = 3_600_000): Map<string, RunnerHeartbeat> {
  const nowMs = Date.parse(now);
  const merged = new Map<string, RunnerHeartbeat>();
  for (const [id, hb] of known) if (nowMs - Date.parse(hb.at) < forgetAfterMs) merged.set(id, hb);
  for (const hb of current) {
    const before = merged.get(hb.runnerId);
    if (!before || Date.parse(hb.at) >= Date.parse(before.at)) merged.set(hb.runnerId, hb);
  }
  return merged;
}
