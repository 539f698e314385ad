import type { Projection } from '@baton/projections';
import { memberKey, ProjectMemberRowEntity, type ProjectMemberRow } from './project-member-row.entity';

/**
 * Who is a member of which project (docs/decisions/0023). The creator of a project (a user)
 * is its first operator, read from `project.created`'s actor: a new read model replays the
 * log from the start, so projects created before membership existed get their creator too.
 * A deleted project's rows stay; queries join the projects table, which drops it.
 */
export const projectMembersProjection: Projection<ProjectMemberRow> = {
  name: 'project_members',
  version: 1,
  entity: ProjectMemberRowEntity,
  keysOf(e) {
    if (e.aggregate.type !== 'project') return [];
    if (e.type === 'project.created') return e.actor.kind === 'user' ? [memberKey(e.aggregate.id, e.actor.id)] : [];
    if (e.type === 'project.member_added' || e.type === 'project.member_role_changed' || e.type === 'project.member_removed') return [memberKey(e.aggregate.id, e.data.userId)];
    return [];
  },
  evolve(row, e, id) {
    const at = { updatedAt: e.occurredAt, lastSeq: e.position.seq };
    switch (e.type) {
      case 'project.created':
        return { id, projectId: e.aggregate.id, userId: e.actor.id, role: 'operator', addedAt: e.occurredAt, ...at };
      case 'project.member_added':
        return { id, projectId: e.aggregate.id, userId: e.data.userId, role: e.data.role, addedAt: e.occurredAt, ...at };
      case 'project.member_role_changed':
        return row && { ...row, role: e.data.to, ...at };
      case 'project.member_removed':
        return null;
      default:
        return row;
    }
  },
};
