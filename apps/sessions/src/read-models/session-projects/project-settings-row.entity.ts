import { EntitySchema } from 'typeorm';

/** What the sessions service needs of a project (from the tasks service's `project.*` events): caps, sequences, launch env. */
export interface ProjectSettingsRow {
  id: string;
  name: string;
  repositoryLocation: string;
  defaultBranch: string;
  concurrencyLimit: number | null;
  env: Record<string, string>;
  startupSequence: string[];
  shutdownSequence: string[];
  status: 'active' | 'archived';
  lastSeq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const ProjectSettingsRowEntity = new EntitySchema<ProjectSettingsRow>({
  name: 'ProjectSettingsRow',
  tableName: 'session_projects',
  columns: {
    id: { type: 'text', primary: true },
    name: { type: 'text' },
    repositoryLocation: { type: 'text', name: 'repository_location' },
    defaultBranch: { type: 'text', name: 'default_branch' },
    concurrencyLimit: { type: 'integer', name: 'concurrency_limit', nullable: true },
    env: { type: 'jsonb' },
    startupSequence: { type: 'jsonb', name: 'startup_sequence' },
    shutdownSequence: { type: 'jsonb', name: 'shutdown_sequence' },
    status: { type: 'text' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
