import { EntitySchema } from 'typeorm';
import type { SignalSource, TimelineKind } from '@baton/events';

/** One timeline entry of one session. */
export interface TimelineRow {
  /** The event's id. */
  id: string;
  sessionId: string;
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

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const TimelineRowEntity = new EntitySchema<TimelineRow>({
  name: 'TimelineRow',
  tableName: 'session_timeline',
  columns: {
    id: { type: 'text', primary: true },
    sessionId: { type: 'text', name: 'session_id' },
    seq: { type: 'bigint', transformer: bigint },
    at: { type: 'text' },
    kind: { type: 'text' },
    message: { type: 'text' },
    taskId: { type: 'text', name: 'task_id', nullable: true },
    progress: { type: 'double precision', nullable: true },
    source: { type: 'text', nullable: true },
    workerId: { type: 'text', name: 'worker_id', nullable: true },
    metadata: { type: 'jsonb' },
  },
});
