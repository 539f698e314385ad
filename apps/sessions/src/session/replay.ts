import { isSessionEvent, type EventEnvelope, type SessionEvent, type SessionStatus, type SignalSource, type TimelineKind } from '@baton/events';
import { evolveSession, initialSessionState, type SessionState } from './session.state';

export interface TimelineEntry {
  id: string;
  /** Stream sequence when known (events read from the log), else the event's index. */
  seq: number;
  at: string;
  kind: TimelineKind;
  message: string;
  taskId: string | null;
  progress: number | null;
  source: SignalSource | null;
  workerId: string | null;
  metadata: Record<string, unknown>;
}

export interface StatusSpan {
  status: SessionStatus;
  from: string;
  reason: string;
}

export interface InputEntry {
  at: string;
  kind: string;
  text: string;
  fromSessionId: string | null;
}

export interface Replay {
  status: SessionStatus;
  /** What was typed into the session by Baton, people or other sessions. */
  inputs: InputEntry[];
  /** Every status the session went through, with when and why. */
  statuses: StatusSpan[];
  timeline: TimelineEntry[];
  state: SessionState;
  /** The instant replayed up to: `untilTime`, or the last event's time. */
  at: string | null;
}

export type ReplayUntil = { untilTime?: string; untilSeq?: number };

type Positioned = EventEnvelope & { position?: { seq: number } };

/**
 * Status and timeline at any instant, from the session's own events alone (DESIGN §4,
 * Replay): works after every read model was dropped. `untilTime` keeps events that
 * occurred at or before it; `untilSeq` those at or below a stream sequence.
 */
export function replaySession(events: Positioned[], until: ReplayUntil = {}): Replay {
  let state = initialSessionState();
  const timeline: TimelineEntry[] = [];
  const statuses: StatusSpan[] = [];
  const inputs: InputEntry[] = [];
  let at: string | null = null;
  // A decision is one atomic append: a cut inside it (by sequence) keeps the rest of it.
  let finishBatch = 0;
  events.forEach((e, index) => {
    const seq = e.position?.seq ?? index + 1;
    const batchLeft = e.batch ? e.batch.count - e.batch.index - 1 : 0;
    if (until.untilSeq !== undefined && seq > until.untilSeq) {
      if (finishBatch <= 0 || !e.batch || e.batch.index === 0) return;
      finishBatch--;
    } else finishBatch = batchLeft;
    if (until.untilTime !== undefined && Date.parse(e.occurredAt) > Date.parse(until.untilTime)) return;
    if (!isSessionEvent(e)) return;
    const event = e as SessionEvent;
    state = evolveSession(state, event, event.occurredAt);
    at = event.occurredAt;
    if (event.type === 'session.requested') statuses.push({ status: 'pending', from: event.occurredAt, reason: 'requested' });
    if (event.type === 'session.status_changed') statuses.push({ status: event.data.to, from: event.occurredAt, reason: event.data.reason });
    if (event.type === 'session.input_sent') inputs.push({ at: event.occurredAt, kind: event.data.kind, text: event.data.text, fromSessionId: event.data.fromSessionId });
    if (event.type === 'session.timeline_recorded') {
      const d = event.data;
      timeline.push({
        id: event.id,
        seq,
        at: event.occurredAt,
        kind: d.kind,
        message: d.message,
        taskId: d.taskId,
        progress: d.progress,
        source: d.source ?? null,
        workerId: d.workerId ?? null,
        metadata: { ...d.metadata, ...(d.match ? { match: d.match } : {}), ...(d.workerStatus ? { workerStatus: d.workerStatus } : {}) },
      });
    }
  });
  return { status: state.status, statuses, inputs, timeline, state, at: until.untilTime ?? at };
}
