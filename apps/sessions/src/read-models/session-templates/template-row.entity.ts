import { EntitySchema } from 'typeorm';
import type { SessionTemplateSpec } from '@baton/events';

/** A project's (or every project's, `projectId` null) session template at its latest version. */
export interface TemplateRow {
  id: string;
  projectId: string | null;
  name: string;
  kind: 'agent' | 'command';
  version: number;
  spec: SessionTemplateSpec;
  autoStart: boolean;
  maxConcurrent: number | null;
  removed: boolean;
  createdAt: string;
  updatedAt: string;
  eventCount: number;
  lastSeq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const TemplateRowEntity = new EntitySchema<TemplateRow>({
  name: 'TemplateRow',
  tableName: 'session_templates',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id', nullable: true },
    name: { type: 'text' },
    kind: { type: 'text' },
    version: { type: 'integer' },
    spec: { type: 'jsonb' },
    autoStart: { type: 'boolean', name: 'auto_start' },
    maxConcurrent: { type: 'integer', name: 'max_concurrent', nullable: true },
    removed: { type: 'boolean' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
