import type { SessionReplay, SessionView, TimelineEntry } from '@baton/contracts';

/*
 * The session timeline as a Gantt chart (reference/002: lifecycle, task processing, progress
 * marks, errors), as data: lanes of segments and marks on a time scale. Pure; the SVG draws it.
 */

export type Status = SessionView['status'];
type Entry = Pick<TimelineEntry, 'seq' | 'at' | 'kind' | 'message' | 'taskId' | 'progress'>;

export interface Segment {
  from: number;
  to: number;
  /** A css modifier: a session status or a task outcome. */
  tone: string;
  label: string;
}

export interface Mark {
  at: number;
  kind: 'milestone' | 'progress' | 'error' | 'input' | 'start' | 'stop' | 'task';
  label: string;
  value?: number | null;
  seq: number;
}

export interface Lane {
  key: string;
  label: string;
  sub?: string;
  href?: string;
  segments: Segment[];
  marks: Mark[];
}

export interface TimeScale {
  from: number;
  to: number;
  width: number;
  x: (t: number) => number;
  t: (x: number) => number;
  ticks: { at: number; label: string }[];
}

const STEPS_MS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];

/** A linear scale from [from, to] onto [0, width], with round ticks (about one per `minGap` px). */
export function timeScale(from: number, to: number, width: number, minGap = 90): TimeScale {
  const span = Math.max(1, to - from);
  const k = width / span;
  const wanted = Math.max(1, Math.floor(width / minGap));
  const step = STEPS_MS.find((s) => span / s <= wanted) ?? STEPS_MS[STEPS_MS.length - 1];
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) ticks.push({ at, label: tickLabel(at, step) });
  return { from, to: from + span, width, x: (t) => (t - from) * k, t: (x) => from + x / k, ticks };
}

function tickLabel(at: number, step: number): string {
  const iso = new Date(at).toISOString();
  if (step < 1_000) return iso.slice(17, 23);
  if (step < 60_000) return iso.slice(11, 19);
  return iso.slice(11, 16);
}

/** "1.2 s", "3 min 04 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${String(Math.floor((ms % 60_000) / 1_000)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const ms = (iso: string) => Date.parse(iso);

/** Status segments: each status from its start to the next one's (the last one to `end`). */
export function statusSegments(statuses: readonly { status: Status; from: string; reason?: string }[], end: number): Segment[] {
  const out: Segment[] = [];
  statuses.forEach((s, i) => {
    const from = ms(s.from);
    const to = i + 1 < statuses.length ? ms(statuses[i + 1].from) : end;
    if (to < from) return;
    out.push({ from, to: Math.max(to, from), tone: s.status, label: s.reason ? `${s.status}: ${s.reason}` : s.status });
  });
  return out;
}

const TASK_END = new Set(['task_completed', 'task_failed', 'task_skipped', 'task_blocked']);
const ERRORS = new Set(['error', 'task_failed', 'stalled', 'budget_exceeded']);
const PROGRESS = new Set(['progress', 'milestone', 'needs_input']);

function markOf(e: Entry): Mark {
  const at = ms(e.at);
  switch (e.kind) {
    case 'progress':
      return { at, kind: 'progress', label: `${e.message || 'progress'}${e.progress !== null ? ` (${Math.round(e.progress * 100)}%)` : ''}`, value: e.progress, seq: e.seq };
    case 'needs_input':
      return { at, kind: 'input', label: `needs input: ${e.message}`, seq: e.seq };
    case 'milestone':
      return { at, kind: 'milestone', label: e.message || 'milestone', seq: e.seq };
    case 'session_started':
    case 'restarted':
    case 'worker_spawned':
      return { at, kind: 'start', label: `${e.kind.replace('_', ' ')}${e.message ? `: ${e.message}` : ''}`, seq: e.seq };
    case 'session_stopped':
    case 'worker_finished':
      return { at, kind: 'stop', label: `${e.kind.replace('_', ' ')}${e.message ? `: ${e.message}` : ''}`, seq: e.seq };
    default:
      return { at, kind: ERRORS.has(e.kind) ? 'error' : 'task', label: `${e.kind.replace(/_/g, ' ')}${e.message ? `: ${e.message}` : ''}`, seq: e.seq };
  }
}

/**
 * One session's lanes: Lifecycle (status segments, start/stop marks), one lane per task
 * (from task_started to its end), Progress (progress, milestones, needs input) and Errors.
 */
export function sessionLanes(input: { statuses: SessionReplay['statuses']; timeline: readonly Entry[] }, end: number, taskLabel: (id: string) => string = (id) => id): Lane[] {
  const lifecycle: Lane = { key: 'lifecycle', label: 'Lifecycle', segments: statusSegments(input.statuses, end), marks: [] };
  const progress: Lane = { key: 'progress', label: 'Progress', segments: [], marks: [] };
  const errors: Lane = { key: 'errors', label: 'Errors', segments: [], marks: [] };
  const tasks = new Map<string, Lane>();
  const open = new Map<string, { from: number; seq: number }>();
  const taskLane = (id: string) => {
    let l = tasks.get(id);
    if (!l) tasks.set(id, (l = { key: `task:${id}`, label: taskLabel(id), sub: 'task', segments: [], marks: [] }));
    return l;
  };
  for (const e of input.timeline) {
    const at = ms(e.at);
    if (e.kind === 'session_started' || e.kind === 'session_stopped' || e.kind === 'restarted' || e.kind === 'worker_spawned' || e.kind === 'worker_finished') lifecycle.marks.push(markOf(e));
    if (e.taskId && e.kind === 'task_started') {
      open.set(e.taskId, { from: at, seq: e.seq });
      taskLane(e.taskId).marks.push({ at, kind: 'start', label: `started${e.message ? `: ${e.message}` : ''}`, seq: e.seq });
    }
    if (e.taskId && TASK_END.has(e.kind)) {
      const o = open.get(e.taskId);
      const lane = taskLane(e.taskId);
      lane.segments.push({ from: o?.from ?? at, to: at, tone: e.kind.replace('task_', ''), label: `${e.kind.replace('_', ' ')}${e.message ? `: ${e.message}` : ''}` });
      lane.marks.push({ ...markOf(e), kind: e.kind === 'task_completed' ? 'stop' : 'error' });
      open.delete(e.taskId);
    }
    if (PROGRESS.has(e.kind)) progress.marks.push(markOf(e));
    if (ERRORS.has(e.kind)) errors.marks.push(markOf(e));
  }
  for (const [id, o] of open) taskLane(id).segments.push({ from: o.from, to: end, tone: 'processing', label: 'processing' });
  return [lifecycle, ...tasks.values(), progress, errors];
}

/** The span a chart shows: from the first thing to `end`, with a little air on the right. */
export function domainOf(lanes: readonly Lane[], end: number): [number, number] {
  let from = Infinity;
  for (const l of lanes) {
    for (const s of l.segments) from = Math.min(from, s.from);
    for (const m of l.marks) from = Math.min(from, m.at);
  }
  if (!Number.isFinite(from)) from = end - 60_000;
  const span = Math.max(5_000, end - from);
  return [from, from + span * 1.02];
}

/** The status at an instant, from the statuses so far (what the replay scrubber shows). */
export function statusAt(statuses: SessionReplay['statuses'], at: number): Status | null {
  let s: Status | null = null;
  for (const x of statuses) {
    if (ms(x.from) <= at) s = x.status;
    else break;
  }
  return s;
}
