import { EntitySchema } from 'typeorm';
import type { PromptVariable } from '@baton/events';

export interface PromptTemplateRow {
  id: string;
  projectId: string | null;
  name: string;
  status: 'active' | 'archived';
  latestVersionId: string | null;
  versionCount: number;
  createdAt: string;
  updatedAt: string;
  eventCount: number;
  lastSeq: number;
}

export interface PromptVersionRow {
  id: string;
  templateId: string;
  number: number;
  parentVersionId: string | null;
  body: string;
  variables: PromptVariable[];
  note: string;
  createdAt: string;
  lastSeq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const PromptTemplateRowEntity = new EntitySchema<PromptTemplateRow>({
  name: 'PromptTemplateRow',
  tableName: 'prompt_templates',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id', nullable: true },
    name: { type: 'text' },
    status: { type: 'text' },
    latestVersionId: { type: 'text', name: 'latest_version_id', nullable: true },
    versionCount: { type: 'integer', name: 'version_count' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});

export const PromptVersionRowEntity = new EntitySchema<PromptVersionRow>({
  name: 'PromptVersionRow',
  tableName: 'prompt_template_versions',
  columns: {
    id: { type: 'text', primary: true },
    templateId: { type: 'text', name: 'template_id' },
    number: { type: 'integer' },
    parentVersionId: { type: 'text', name: 'parent_version_id', nullable: true },
    body: { type: 'text' },
    variables: { type: 'jsonb' },
    note: { type: 'text' },
    createdAt: { type: 'text', name: 'created_at' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
