import { EntitySchema } from 'typeorm';

export interface ProjectRow {
  id: string;
  name: string;
  repositoryLocation: string;
  defaultBranch: string;
  concurrencyLimit: number | null;
  env: Record<string, string>;
  status: 'active' | 'archived' | 'deleted';
  createdAt: string;
  updatedAt: string;
  /** Events applied to this row: makes a double application visible. */
  eventCount: number;
  lastSeq: number;
}

export const ProjectRowEntity = new EntitySchema<ProjectRow>({
  name: 'ProjectRow',
  tableName: 'projects',
  columns: {
    id: { type: 'text', primary: true },
    name: { type: 'text' },
    repositoryLocation: { type: 'text', name: 'repository_location' },
    defaultBranch: { type: 'text', name: 'default_branch' },
    concurrencyLimit: { type: 'integer', name: 'concurrency_limit', nullable: true },
    env: { type: 'jsonb' },
    status: { type: 'text' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: {
      type: 'bigint',
      name: 'last_seq',
      transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
    },
  },
});
