import { EntitySchema } from 'typeorm';
import type { LabelsMap } from '@baton/events';

/** A registered runner. Whether it is alive is not here: the KV heartbeat says that. */
export interface RunnerRow {
  id: string;
  hostname: string;
  capacity: number;
  labels: LabelsMap;
  version: string | null;
  draining: boolean;
  status: 'registered' | 'deregistered';
  registeredAt: string;
  updatedAt: string;
  eventCount: number;
  lastSeq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const RunnerRowEntity = new EntitySchema<RunnerRow>({
  name: 'RunnerRow',
  tableName: 'runners',
  columns: {
    id: { type: 'text', primary: true },
    hostname: { type: 'text' },
    capacity: { type: 'integer' },
    labels: { type: 'jsonb' },
    version: { type: 'text', nullable: true },
    draining: { type: 'boolean' },
    status: { type: 'text' },
    registeredAt: { type: 'text', name: 'registered_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
