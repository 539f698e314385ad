import type { RunnerHeartbeat } from '@baton/events';

/**
 * The shortest silence after which a runner is gone: its sessions are marked lost (DESIGN: within
 * 15 s on a quiet machine). Under load the limit grows with the delays its beats showed
 * (`silenceLimitMs`), so a saturated runner is slow, not dead.
 */
export const RUNNER_SILENCE_MS = 10_000;
/** The longest silence limit delays can stretch it to. */
export const MAX_RUNNER_SILENCE_MS = 60_000;
/** A silence must last this many of the worst recent gaps between beats before it counts. */
export const MISSED_BEATS = 3;
/** Gaps between beats remembered per runner. */
const RECENT_GAPS = 10;
/** How long a lost session is held for its runner to come back and reclaim it (docs/decisions/0026). */
/**
 * How long a lost session is held for its runner to come back before it is moved: longer than
 * the network partitions a fleet rides out without running anything twice (a 60 s cut, proven
 * by e2e/sessions/runner-partition), at the cost of a dead runner's sessions waiting as long.
 */
export const LOST_HOLD_MS = 90_000;

export interface HostedSession {
  sessionId: string;
  runnerId: string;
  /** Spawning or running: holds a slot on its runner. */
  status: string;
  /** While `lost`: the end of its hold. */
  until?: string | null;
}

/** What the watcher saw of one runner's beats, on its own clock (no skew between machines). */
export interface BeatHistory {
  /** The runner's `at` of the newest beat seen. */
  lastAt: string;
  /** When (this process's clock, ms) that beat was first seen. */
  seenAtMs: number;
  /** The latest gaps between successive beats, by the runner's own `at` (ms). */
  gaps: number[];
}

/**
 * Folds a read of the heartbeats into the history: a beat whose `at` is newer than the last one
 * seen is new, put at its `at` but never more than `slackMs` (a watcher tick) before now, so a
 * runner whose clock is off is judged on this one. A runner seen for the first time counts from
 * its beat's `at` (a new leader does not give a long-dead runner a fresh grace).
 */
export function observeBeats(history: ReadonlyMap<string, BeatHistory>, heartbeats: RunnerHeartbeat[], nowMs: number, slackMs = 2_500): Map<string, BeatHistory> {
  const next = new Map(history);
  for (const hb of heartbeats) {
    const before = next.get(hb.runnerId);
    const atMs = Date.parse(hb.at);
    if (!before) {
      next.set(hb.runnerId, { lastAt: hb.at, seenAtMs: Math.min(nowMs, atMs), gaps: [] });
      continue;
    }
    const lastMs = Date.parse(before.lastAt);
    if (atMs <= lastMs) continue;
    const seenAtMs = Math.max(Math.min(nowMs, atMs), nowMs - slackMs, before.seenAtMs);
    next.set(hb.runnerId, { lastAt: hb.at, seenAtMs, gaps: [...before.gaps, atMs - lastMs].slice(-RECENT_GAPS) });
  }
  return next;
}

/**
 * How long this runner may stay silent before it is gone: never under `RUNNER_SILENCE_MS` (and so
 * never one missed beat), `MISSED_BEATS` times the worst of its recent gaps when its beats came
 * late (a starved event loop, a saturated machine), at most `MAX_RUNNER_SILENCE_MS`.
 */
export function silenceLimitMs(h: BeatHistory | undefined, minMs = RUNNER_SILENCE_MS, maxMs = MAX_RUNNER_SILENCE_MS): number {
  const worst = h && h.gaps.length ? Math.max(...h.gaps) : 0;
  return Math.min(Math.max(minMs, MISSED_BEATS * worst), Math.max(minMs, maxMs));
}

/** The runners alive at `nowMs`: silent (on this process's clock) for less than their own limit. */
export function aliveRunners(history: ReadonlyMap<string, BeatHistory>, nowMs: number, minMs = RUNNER_SILENCE_MS): Set<string> {
  const alive = new Set<string>();
  for (const [runnerId, h] of history) if (nowMs - h.seenAtMs < silenceLimitMs(h, minMs)) alive.add(runnerId);
  return alive;
}

export interface Reclaim {
  sessionId: string;
  runnerId: string;
  epoch: number | undefined;
  pid: number | null;
}

/**
 * Pure view of the heartbeats at `now`: which runners are alive, which hosted sessions to mark
 * lost (their runner is not alive), which lost ones their runner reclaims (alive again, and its
 * heartbeat still lists them) and which lost ones were held long enough (`giveUp`: to be marked
 * again, which moves them). `alive`: the runners alive by their beat history; absent, by the age
 * of their heartbeat's `at` against `silenceMs`.
 */
export function livenessAt(heartbeats: RunnerHeartbeat[], hosted: HostedSession[], now: string, alive: number | ReadonlySet<string> = RUNNER_SILENCE_MS) {
  const nowMs = Date.parse(now);
  const aliveSet = typeof alive === 'number' ? new Set(heartbeats.filter((h) => nowMs - Date.parse(h.at) < alive).map((h) => h.runnerId)) : new Set(alive);
  const lost = hosted.filter((s) => s.status !== 'lost' && !aliveSet.has(s.runnerId));
  const lastOutput = new Map<string, string | null>();
  const listed = new Map<string, { runnerId: string; epoch: number | undefined; pid: number | null }>();
  for (const h of heartbeats) {
    for (const s of h.sessions) {
      lastOutput.set(s.sessionId, s.lastOutputAt);
      listed.set(`${h.runnerId}/${s.sessionId}`, { runnerId: h.runnerId, epoch: s.epoch, pid: s.pid });
    }
  }
  const reclaim: Reclaim[] = [];
  const giveUp: HostedSession[] = [];
  for (const s of hosted) {
    if (s.status !== 'lost') continue;
    const copy = aliveSet.has(s.runnerId) ? listed.get(`${s.runnerId}/${s.sessionId}`) : undefined;
    if (copy) reclaim.push({ sessionId: s.sessionId, ...copy });
    // Held long enough, and its runner does not show it (silent still, or back without it).
    else if (!s.until || s.until <= now) giveUp.push(s);
  }
  return { alive: aliveSet, lost, reclaim, giveUp, lastOutputAt: (sessionId: string) => lastOutput.get(sessionId) ?? null };
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
