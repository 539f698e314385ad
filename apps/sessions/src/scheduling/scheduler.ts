import type { LabelsMap } from '@baton/events';

/** A session waiting `pending`, in queue order (the order it became pending). */
export interface PendingSession {
  sessionId: string;
  projectId: string;
  templateId: string;
  /** A runner must carry every one of these labels with the same value (template's and request's). */
  labels: LabelsMap;
  /** Restart backoff: not placed before this instant. */
  notBefore: string | null;
  /** Where it ran before (its worktree is there): chosen when it has room. */
  preferRunnerId: string | null;
}

export interface RunnerSnapshot {
  runnerId: string;
  capacity: number;
  labels: LabelsMap;
  /** Its heartbeat is fresh (KV); a registered runner that stopped answering is not. */
  alive: boolean;
  draining: boolean;
  /**
   * Admission (docs/decisions/0026): how many of its sessions may be starting (placed, not ready
   * yet) at once, the pace its machine takes; null or absent: no limit beyond its slots.
   */
  maxStarting?: number | null;
  /** Why that limit, for the waiting reason (e.g. "load 2.4 per core over 2"). */
  admissionNote?: string;
}

/** A session that holds a slot: spawning, running or lost (until it is moved). */
export interface RunningSession {
  sessionId: string;
  runnerId: string;
  projectId: string;
  templateId: string;
  /** Placed but not ready yet (`spawning`): counts against its runner's `maxStarting`. */
  starting?: boolean;
}

/** Concurrency caps (DESIGN §6); null or absent: no cap at that level. */
export interface Caps {
  global: number | null;
  perProject: Record<string, number | null>;
  perTemplate: Record<string, number | null>;
  /** An operator's limit below a runner's own capacity. */
  perRunner: Record<string, number | null>;
}

export interface Placement {
  sessionId: string;
  runnerId: string;
}

export type WaitReason = 'backoff' | 'global_cap' | 'project_cap' | 'template_cap' | 'no_matching_runner' | 'no_free_runner' | 'runner_starting';

export interface Waiting {
  sessionId: string;
  /** 1-based place in the queue of those still waiting. */
  position: number;
  reason: WaitReason;
  detail: string;
}

export function labelsMatch(selector: LabelsMap, labels: LabelsMap): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/**
 * The scheduler, pure over a snapshot: walks the pending queue in order (FIFO) and places
 * each session that fits every cap on a live, non-draining runner whose labels match and
 * that has a free slot — its previous runner if possible, else the one with the most free
 * slots (spreading load; ties by id). A session blocked by its own caps, labels or backoff
 * does not hold back the ones behind it (they do not compete for what it waits for); the
 * global cap, shared by all, stops everyone. Says why each one still waits.
 */
export function planPlacements(pending: PendingSession[], runners: RunnerSnapshot[], running: RunningSession[], caps: Caps, now: string): { placements: Placement[]; waiting: Waiting[] } {
  const perRunner = new Map<string, number>();
  const perProject = new Map<string, number>();
  const perTemplate = new Map<string, number>();
  const startingOn = new Map<string, number>();
  for (const r of running) {
    bump(perRunner, r.runnerId);
    if (r.starting) bump(startingOn, r.runnerId);
    bump(perProject, r.projectId);
    bump(perTemplate, r.templateId);
  }
  let total = running.length;
  const slots = (r: RunnerSnapshot) => Math.min(r.capacity, caps.perRunner[r.runnerId] ?? Number.POSITIVE_INFINITY);
  const free = (r: RunnerSnapshot) => slots(r) - (perRunner.get(r.runnerId) ?? 0);
  const mayStart = (r: RunnerSnapshot) => r.maxStarting == null || (startingOn.get(r.runnerId) ?? 0) < r.maxStarting;
  const usable = runners.filter((r) => r.alive && !r.draining);

  const placements: Placement[] = [];
  const waiting: Waiting[] = [];
  const wait = (s: PendingSession, reason: WaitReason, detail: string) => waiting.push({ sessionId: s.sessionId, position: waiting.length + 1, reason, detail });
  const seen = new Set<string>();

  for (const s of pending) {
    if (seen.has(s.sessionId)) continue;
    seen.add(s.sessionId);
    if (s.notBefore && s.notBefore > now) {
      wait(s, 'backoff', `restarts after ${s.notBefore}`);
      continue;
    }
    if (caps.global !== null && total >= caps.global) {
      wait(s, 'global_cap', `${total} of ${caps.global} sessions run`);
      continue;
    }
    const projectCap = caps.perProject[s.projectId] ?? null;
    if (projectCap !== null && (perProject.get(s.projectId) ?? 0) >= projectCap) {
      wait(s, 'project_cap', `project ${s.projectId} runs ${perProject.get(s.projectId) ?? 0} of ${projectCap}`);
      continue;
    }
    const templateCap = caps.perTemplate[s.templateId] ?? null;
    if (templateCap !== null && (perTemplate.get(s.templateId) ?? 0) >= templateCap) {
      wait(s, 'template_cap', `template ${s.templateId} runs ${perTemplate.get(s.templateId) ?? 0} of ${templateCap}`);
      continue;
    }
    const matching = usable.filter((r) => labelsMatch(s.labels, r.labels));
    if (matching.length === 0) {
      const want = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ');
      wait(s, 'no_matching_runner', want ? `no live runner has ${want}` : 'no live runner');
      continue;
    }
    const hasSlot = matching.filter((r) => free(r) > 0);
    if (hasSlot.length === 0) {
      wait(s, 'no_free_runner', `${matching.length} matching runner${matching.length === 1 ? ' is' : 's are'} full`);
      continue;
    }
    // Admission: a runner takes starts at its machine's pace; the rest wait here, in order.
    const withRoom = hasSlot.filter(mayStart);
    if (withRoom.length === 0) {
      const r = hasSlot[0];
      const more = hasSlot.length > 1 ? ` (and ${hasSlot.length - 1} more runner${hasSlot.length > 2 ? 's' : ''} likewise)` : '';
      wait(s, 'runner_starting', `runner ${r.runnerId} is starting ${startingOn.get(r.runnerId) ?? 0} of at most ${r.maxStarting} at once${r.admissionNote ? `: ${r.admissionNote}` : ''}${more}`);
      continue;
    }
    const preferred = withRoom.find((r) => r.runnerId === s.preferRunnerId);
    const chosen = preferred ?? [...withRoom].sort((a, b) => free(b) - free(a) || (a.runnerId < b.runnerId ? -1 : 1))[0];
    placements.push({ sessionId: s.sessionId, runnerId: chosen.runnerId });
    bump(perRunner, chosen.runnerId);
    bump(startingOn, chosen.runnerId);
    bump(perProject, s.projectId);
    bump(perTemplate, s.templateId);
    total++;
  }
  return { placements, waiting };
}

/** `place(pendingQueue, runners, running, caps) → placements[]`; each becomes a `session.place` command. */
export function place(pending: PendingSession[], runners: RunnerSnapshot[], running: RunningSession[], caps: Caps, now: string): Placement[] {
  return planPlacements(pending, runners, running, caps, now).placements;
}
