import type { Projection } from '@baton/projections';
import { TimelineRowEntity, type TimelineRow } from './timeline-row.entity';

/** A row per timeline entry: the timeline page, its kind filter and its "until" scrubber. */
export const sessionTimelineProjection: Projection<TimelineRow> = {
  name: 'session_timeline',
  version: 1,
  entity: TimelineRowEntity,
  keysOf: (event) => (event.type === 'session.timeline_recorded' ? [event.id] : []),
  evolve(row, event, id) {
    if (event.type !== 'session.timeline_recorded') return row;
    const d = event.data;
    return {
      id,
      sessionId: event.aggregate.id,
      seq: event.position.seq,
      at: event.occurredAt,
      kind: d.kind,
      message: d.message,
      taskId: d.taskId,
      progress: d.progress,
      source: d.source ?? null,
      workerId: d.workerId ?? null,
      metadata: { ...d.metadata, ...(d.match ? { match: d.match } : {}), ...(d.workerStatus ? { workerStatus: d.workerStatus } : {}) },
    };
  },
};
