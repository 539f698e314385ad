import { z } from 'zod';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { ProjectMemberRowEntity } from '../project-members/project-member-row.entity';
import { ProjectRowEntity, type ProjectRow } from './project-row.entity';

/** What the API shows of a project: the row without its bookkeeping columns. */
export function projectView(row: ProjectRow) {
  return {
    id: row.id,
    name: row.name,
    repository: { location: row.repositoryLocation, defaultBranch: row.defaultBranch },
    concurrencyLimit: row.concurrencyLimit,
    envKeys: Object.keys(row.env).sort(),
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type ProjectView = ReturnType<typeof projectView>;

export function projectQueries(read: ReadSide) {
  const repo = () => read.db.getRepository(ProjectRowEntity);
  return {
    get_project: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const row = await repo().findOneBy({ id });
      if (!row) throw new DomainError('not_found', `project ${id} does not exist`, { projectId: id });
      return projectView(row);
    }),
    list_projects: defineQuery(
      z.object({
        status: z.enum(['active', 'archived']).optional(),
        /** Only the projects this user is a member of (docs/decisions/0023). */
        memberId: IdSchema.optional(),
        limit: z.number().int().min(1).max(500).default(50),
        offset: z.number().int().min(0).default(0),
      }),
      async ({ status, memberId, limit, offset }, { minSeq }) => {
        await read.waitFor(minSeq);
        const qb = repo().createQueryBuilder('p').orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC').take(limit).skip(offset);
        if (status) qb.andWhere('p.status = :status', { status });
        if (memberId) {
          const mine = qb.subQuery().select('m.project_id').from(ProjectMemberRowEntity, 'm').where('m.user_id = :memberId').getQuery();
          qb.andWhere(`p.id IN ${mine}`, { memberId });
        }
        const [rows, total] = await qb.getManyAndCount();
        return { items: rows.map(projectView), total, limit, offset };
      },
    ),
  };
}
