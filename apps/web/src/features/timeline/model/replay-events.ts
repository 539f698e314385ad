import type { LiveEventMessage, SessionReplay } from '@baton/contracts';

/** An empty replay for a session just requested (its events fill it in). */
export function emptyReplay(sessionId: string): SessionReplay {
  return {
    sessionId,
    at: null,
    status: 'pending',
    statuses: [],
    timeline: [],
    inputs: [],
    runnerId: null,
    ready: false,
    restarts: 0,
    items: [],
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    workers: {},
  };
}

/**
 * Keeps a session's replay (statuses, timeline) current from its live events, so a chart
 * read once grows as the session goes on. Idempotent: an entry already there (by seq) is not added again.
 */
export function applyReplayEvent(r: SessionReplay, msg: LiveEventMessage): SessionReplay {
  const e = msg.event;
  if (e.aggregate.type !== 'session' || e.aggregate.id !== r.sessionId) return r;
  switch (e.type) {
    case 'session.requested':
      return r.statuses.length ? r : { ...r, status: 'pending', statuses: [{ status: 'pending', from: e.occurredAt, reason: '' }] };
    case 'session.status_changed':
    case 'session.ended': {
      const status = e.type === 'session.ended' ? e.data.status : e.data.to;
      const last = r.statuses[r.statuses.length - 1];
      if (last && last.status === status && last.from === e.occurredAt) return r;
      if (last && Date.parse(last.from) > Date.parse(e.occurredAt)) return r;
      return { ...r, status, statuses: [...r.statuses, { status, from: e.occurredAt, reason: e.data.reason }] };
    }
    case 'session.timeline_recorded': {
      if (r.timeline.some((t) => t.seq === msg.seq)) return r;
      const d = e.data;
      return {
        ...r,
        timeline: [
          ...r.timeline,
          { id: e.id, seq: msg.seq, at: e.occurredAt, kind: d.kind, message: d.message, taskId: d.taskId, progress: d.progress, source: d.source ?? null, workerId: d.workerId ?? null, metadata: d.metadata },
        ],
      };
    }
    case 'session.usage_reported':
      return { ...r, usage: e.data.total };
    case 'session.queue_item_changed':
      return { ...r, items: r.items.some((i) => i.taskId === e.data.taskId) ? r.items.map((i) => (i.taskId === e.data.taskId ? { ...i, status: e.data.to } : i)) : [...r.items, { taskId: e.data.taskId, status: e.data.to }] };
    case 'session.input_sent':
      return { ...r, inputs: [...r.inputs, { at: e.occurredAt, kind: e.data.kind, text: e.data.text, fromSessionId: e.data.fromSessionId }] };
    default:
      return r;
  }
}
