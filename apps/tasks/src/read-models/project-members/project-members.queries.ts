import { z } from 'zod';
import { In } from 'typeorm';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { effectiveProjectRole } from '@baton/contracts';
import { ProjectRowEntity } from '../projects/project-row.entity';
import { UserRowEntity } from '../users/users.entities';
import { ProjectMemberRowEntity } from './project-member-row.entity';

export function projectMemberQueries(read: ReadSide) {
  const members = () => read.db.getRepository(ProjectMemberRowEntity);
  return {
    /** A project's members with their names and roles (404 for a project that does not exist). */
    project_members: defineQuery(z.object({ projectId: IdSchema }), async ({ projectId }, { minSeq }) => {
      await read.waitFor(minSeq);
      if (!(await read.db.getRepository(ProjectRowEntity).existsBy({ id: projectId }))) {
        throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
      }
      const rows = await members().find({ where: { projectId }, order: { addedAt: 'ASC', userId: 'ASC' } });
      const users = new Map((rows.length ? await read.db.getRepository(UserRowEntity).findBy({ id: In(rows.map((r) => r.userId)) }) : []).map((u) => [u.id, u]));
      return rows.map((r) => {
        const user = users.get(r.userId);
        const userRole = user?.role ?? 'viewer';
        return { userId: r.userId, name: user?.name ?? r.userId, role: r.role, userRole, effectiveRole: effectiveProjectRole(userRole, r.role) ?? 'viewer', addedAt: r.addedAt };
      });
    }),
    /** The projects (not deleted) a user is a member of, with its role in each: what the gateway checks access against. */
    user_memberships: defineQuery(z.object({ userId: IdSchema }), async ({ userId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await members().findBy({ userId });
      if (!rows.length) return [];
      const live = new Set((await read.db.getRepository(ProjectRowEntity).find({ select: { id: true }, where: { id: In(rows.map((r) => r.projectId)) } })).map((p) => p.id));
      return rows.filter((r) => live.has(r.projectId)).map((r) => ({ projectId: r.projectId, role: r.role }));
    }),
  };
}
