import { isFinalStatus, isSessionEvent, type DomainEvent, type RecordedEvent, type SpawnRequest } from '@baton/events';
import type { Projection } from '@baton/projections';
import { readyReason, statusWhenReady } from '../../session/session-decision';
import { SessionRowEntity, type SessionRow } from './session-row.entity';

function newRow(id: string, r: Omit<SpawnRequest, 'sessionId' | 'template'> & { attemptId: string | null }, event: RecordedEvent<DomainEvent>): SessionRow {
  return {
    id,
    projectId: r.projectId,
    templateId: r.templateId,
    templateVersion: 0,
    templateName: '',
    kind: 'agent',
    name: r.name,
    role: r.role,
    strategy: r.strategy,
    attemptId: r.attemptId,
    taskIds: r.taskIds,
    parentSessionId: r.parentSessionId,
    origin: r.origin,
    status: 'pending',
    statusReason: 'requested',
    statusSince: event.occurredAt,
    until: null,
    pendingSeq: null,
    runnerId: null,
    lastRunnerId: null,
    runnerIds: [],
    runnerLabels: r.runnerLabels,
    ready: false,
    restarts: 0,
    runs: 0,
    exitCode: null,
    endedAt: null,
    endedReason: null,
    items: r.taskIds.map((taskId) => ({ taskId, status: 'queued' as const })),
    workerCount: 0,
    timelineCount: 0,
    lastTimelineAt: null,
    lastMessage: null,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
    eventCount: 0,
    lastSeq: event.position.seq,
  };
}

/**
 * One row per session: status, runner, attempt, parent, items, counts and usage — what lists,
 * the pending queue and the scheduler's snapshot read. The row appears with the attempt
 * seat's claim already, so a client that spawned in an attempt reads its session at once.
 */
export const sessionsProjection: Projection<SessionRow> = {
  name: 'sessions',
  version: 1,
  entity: SessionRowEntity,
  keysOf(event) {
    if (event.type === 'session.attempt_seat_claimed') return [event.data.sessionId];
    return isSessionEvent(event) ? [event.aggregate.id] : [];
  },
  evolve(row, event, id) {
    const touch = (r: SessionRow): SessionRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'session.attempt_seat_claimed': {
        if (row) return row;
        const { sessionId: _s, template, ...r } = event.data.request;
        return touch({ ...newRow(id, r, event), templateVersion: template.version, templateName: template.spec.name, kind: template.spec.kind });
      }
      case 'session.requested': {
        const d = event.data;
        const base = row ?? newRow(id, { ...d, name: d.name ?? '', origin: d.origin ?? { kind: 'manual' }, runnerLabels: d.runnerLabels ?? {}, budget: null, prompt: null, permissionMode: d.permissionMode ?? null }, event);
        return touch({ ...base, status: 'pending', statusSince: event.occurredAt, pendingSeq: event.position.seq, runnerLabels: d.runnerLabels ?? base.runnerLabels });
      }
      case 'session.template_pinned':
        return (
          row &&
          touch({ ...row, templateVersion: event.data.version, templateName: event.data.spec.name, kind: event.data.spec.kind, runnerLabels: { ...event.data.spec.runnerLabels, ...row.runnerLabels } })
        );
      case 'session.placed':
        return row && touch({ ...row, runnerId: event.data.runnerId, lastRunnerId: event.data.runnerId, runnerIds: withRunner(row.runnerIds, event.data.runnerId) });
      case 'session.spawned':
        return row && touch({ ...row, runnerId: event.data.runnerId, lastRunnerId: event.data.runnerId, runs: row.runs + 1 });
      case 'session.ready':
        // The decision that makes a spawning session ready also moves its status (the same
        // rule as the decider's); the status event may land in the next projection batch, and
        // a reader must never see a ready session still `spawning`.
        return (
          row &&
          touch({
            ...row,
            ready: true,
            ...(row.status === 'spawning' ? { status: statusWhenReady(row.kind), statusReason: readyReason(event.data.via), statusSince: event.occurredAt } : {}),
          })
        );
      case 'session.status_changed': {
        if (!row) return row;
        const { to, reason } = event.data;
        const pending = to === 'pending';
        return touch({
          ...row,
          status: to,
          statusReason: reason,
          statusSince: event.occurredAt,
          until: event.data.until ?? null,
          pendingSeq: pending ? event.position.seq : null,
          ...(pending ? { runnerId: null, ready: false } : {}),
          // A final status and `session.ended` come from one decision but may land in two
          // projection batches: a reader never sees a final status without its end.
          ...(isFinalStatus(to) ? { endedAt: row.endedAt ?? event.occurredAt, endedReason: row.endedReason ?? reason } : {}),
        });
      }
      case 'session.timeline_recorded':
        return (
          row &&
          touch({
            ...row,
            timelineCount: row.timelineCount + 1,
            lastTimelineAt: event.occurredAt,
            lastMessage: event.data.message.slice(0, 500),
            workerCount: row.workerCount + (event.data.kind === 'worker_spawned' ? 1 : 0),
          })
        );
      case 'session.queue_item_changed':
        return row && touch({ ...row, items: row.items.map((i) => (i.taskId === event.data.taskId ? { ...i, status: event.data.to } : i)) });
      case 'session.usage_reported': {
        if (!row) return row;
        const t = event.data.total;
        return touch({ ...row, inputTokens: t.inputTokens, outputTokens: t.outputTokens, cacheReadTokens: t.cacheReadTokens, cacheWriteTokens: t.cacheWriteTokens, costUsd: t.costUsd });
      }
      case 'session.process_exited':
        return row && touch({ ...row, exitCode: event.data.exitCode });
      case 'session.restart_scheduled':
        return row && touch({ ...row, restarts: event.data.restart });
      case 'session.ended':
        return row && touch({ ...row, endedAt: event.occurredAt, endedReason: event.data.reason, exitCode: event.data.exitCode ?? row.exitCode });
      case 'session.input_sent':
        return row && touch(row);
      default:
        return row;
    }
  },
};

function withRunner(runnerIds: string[] | undefined, runnerId: string): string[] {
  const known = runnerIds ?? [];
  return known.includes(runnerId) ? known : [...known, runnerId];
}
