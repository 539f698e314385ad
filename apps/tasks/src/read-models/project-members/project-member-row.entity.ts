import { EntitySchema } from 'typeorm';
import type { ProjectRole } from '@baton/events';

/** One row per member of a project; `id` is `<projectId>/<userId>`. */
export interface ProjectMemberRow {
  id: string;
  projectId: string;
  userId: string;
  role: ProjectRole;
  addedAt: string;
  updatedAt: string;
  lastSeq: number;
}

export const memberKey = (projectId: string, userId: string) => `${projectId}/${userId}`;

export const ProjectMemberRowEntity = new EntitySchema<ProjectMemberRow>({
  name: 'ProjectMemberRow',
  tableName: 'project_members',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id' },
    userId: { type: 'text', name: 'user_id' },
    role: { type: 'text' },
    addedAt: { type: 'text', name: 'added_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } },
  },
});
