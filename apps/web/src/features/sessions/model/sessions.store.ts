import type { LiveEventMessage, SessionView } from '@baton/contracts';

export type SessionStatus = SessionView['status'];
export type SessionMap = Readonly<Record<string, SessionView>>;

export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set(['completed', 'failed', 'stopped', 'succeeded', 'exited']);
export const isLive = (s: Pick<SessionView, 'status'>) => !FINAL_STATUSES.has(s.status);

export type Tone = 'muted' | 'accent' | 'info' | 'ok' | 'warn' | 'danger';

export const SESSION_STATUS: Record<SessionStatus, { label: string; tone: Tone; pulse?: boolean }> = {
  pending: { label: 'Pending', tone: 'muted' },
  spawning: { label: 'Spawning', tone: 'accent', pulse: true },
  idle: { label: 'Idle', tone: 'info' },
  working: { label: 'Working', tone: 'ok', pulse: true },
  needs_input: { label: 'Needs input', tone: 'warn', pulse: true },
  stalled: { label: 'Stalled', tone: 'warn' },
  waiting_quota: { label: 'Waiting quota', tone: 'warn' },
  lost: { label: 'Lost', tone: 'danger', pulse: true },
  completed: { label: 'Completed', tone: 'ok' },
  failed: { label: 'Failed', tone: 'danger' },
  stopped: { label: 'Stopped', tone: 'muted' },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  exited: { label: 'Exited', tone: 'muted' },
};

export function toSessionMap(items: readonly SessionView[]): SessionMap {
  return Object.fromEntries(items.map((s) => [s.id, s]));
}

const ZERO = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };

/**
 * Applies one live event of a session to the project's sessions. As with tasks, only what
 * the event states; the list is read again shortly after for what the service derives.
 */
export function applySessionEvent(m: SessionMap, msg: LiveEventMessage, projectId: string): SessionMap {
  const e = msg.event;
  if (e.aggregate.type !== 'session') return m;
  const id = e.aggregate.id;
  const s = m[id];
  const set = (next: Partial<SessionView>): SessionMap => (s ? { ...m, [id]: { ...s, ...next, updatedAt: e.occurredAt } } : m);
  switch (e.type) {
    case 'session.requested': {
      const d = e.data;
      if (s || d.projectId !== projectId) return m;
      const view: SessionView = {
        id,
        projectId: d.projectId,
        templateId: d.templateId,
        templateVersion: 0,
        templateName: d.templateId,
        kind: 'agent',
        name: d.name ?? '',
        role: d.role,
        strategy: d.strategy,
        attemptId: d.attemptId,
        taskIds: d.taskIds,
        parentSessionId: d.parentSessionId,
        origin: d.origin ?? { kind: 'manual' },
        status: 'pending',
        statusReason: '',
        statusSince: e.occurredAt,
        until: null,
        runnerId: null,
        lastRunnerId: null,
        runnerIds: [],
        runnerLabels: d.runnerLabels ?? {},
        ready: false,
        restarts: 0,
        runs: 0,
        exitCode: null,
        endedAt: null,
        endedReason: null,
        items: d.taskIds.map((taskId) => ({ taskId, status: 'queued' as const })),
        workerCount: 0,
        timelineCount: 0,
        lastTimelineAt: null,
        lastMessage: null,
        createdAt: e.occurredAt,
        updatedAt: e.occurredAt,
        usage: ZERO,
      };
      let next: SessionMap = { ...m, [id]: view };
      const parent = d.parentSessionId ? next[d.parentSessionId] : undefined;
      if (parent) next = { ...next, [parent.id]: { ...parent, workerCount: parent.workerCount + 1 } };
      return next;
    }
    case 'session.template_pinned':
      return s ? set({ templateName: e.data.spec.name, kind: e.data.spec.kind, templateVersion: e.data.version }) : m;
    case 'session.placed':
      return set({ runnerId: e.data.runnerId, lastRunnerId: e.data.runnerId, runnerIds: s?.runnerIds.includes(e.data.runnerId) ? s.runnerIds : [...(s?.runnerIds ?? []), e.data.runnerId] });
    case 'session.spawned':
      return set({ runnerId: e.data.runnerId, lastRunnerId: e.data.runnerId, runs: (s?.runs ?? 0) + 1 });
    case 'session.ready':
      return set({ ready: true });
    case 'session.status_changed':
      if (s && s.status === e.data.to && s.statusSince === e.occurredAt) return m;
      return set({ status: e.data.to, statusReason: e.data.reason, statusSince: e.occurredAt, until: e.data.until ?? null });
    case 'session.timeline_recorded':
      return set({ timelineCount: (s?.timelineCount ?? 0) + 1, lastTimelineAt: e.occurredAt, lastMessage: e.data.message || s?.lastMessage || null });
    case 'session.queue_item_changed':
      return s ? set({ items: s.items.map((i) => (i.taskId === e.data.taskId ? { ...i, status: e.data.to } : i)) }) : m;
    case 'session.usage_reported':
      return set({ usage: e.data.total });
    case 'session.process_exited':
      return set({ exitCode: e.data.exitCode });
    case 'session.restart_scheduled':
      return set({ restarts: e.data.restart, runnerId: null });
    case 'session.ended':
      return set({ status: e.data.status, endedAt: e.occurredAt, endedReason: e.data.reason, exitCode: e.data.exitCode, statusSince: e.occurredAt, runnerId: null });
    default:
      return m;
  }
}

export function sessionEventNeedsReconcile(msg: LiveEventMessage): boolean {
  const t = msg.event.type;
  return t === 'session.requested' || t === 'session.ended' || t === 'session.template_pinned';
}

/** Live first (needs input at the very top), then newest. */
export function sortSessions(list: readonly SessionView[]): SessionView[] {
  const rank = (s: SessionView) => (s.status === 'needs_input' ? 0 : s.status === 'lost' || s.status === 'stalled' ? 1 : isLive(s) ? 2 : 3);
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export interface SessionNode {
  session: SessionView;
  depth: number;
}

/** Parent → workers, as rows: each orchestrator followed by its workers. */
export function sessionTree(list: readonly SessionView[]): SessionNode[] {
  const ids = new Set(list.map((s) => s.id));
  const kids = new Map<string | null, SessionView[]>();
  for (const s of list) {
    const p = s.parentSessionId && ids.has(s.parentSessionId) ? s.parentSessionId : null;
    kids.set(p, [...(kids.get(p) ?? []), s]);
  }
  const out: SessionNode[] = [];
  const walk = (p: string | null, depth: number, seen: Set<string>) => {
    for (const s of sortSessions(kids.get(p) ?? [])) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      out.push({ session: s, depth });
      walk(s.id, depth + 1, seen);
    }
  };
  walk(null, 0, new Set());
  return out;
}

export function formatUsd(n: number): string {
  if (n === 0) return '$0';
  if (n < 0.01) return `$${n.toFixed(4)}`;
  return `$${n.toFixed(2)}`;
}

export function formatTokens(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** What to call a session: its name, else its one task ("#3 Add login"), else its template. */
export function sessionLabel(s: Pick<SessionView, 'name' | 'taskIds' | 'templateName'>, tasks: Readonly<Record<string, { number: number; title: string }>>): string {
  if (s.name) return s.name;
  const t = s.taskIds.length === 1 ? tasks[s.taskIds[0]] : undefined;
  if (t) return `#${t.number} ${t.title}`;
  if (s.taskIds.length > 1) return `${s.templateName} · ${s.taskIds.length} tasks`;
  return s.templateName;
}
