import { z } from 'zod';
import { In, IsNull, Not, Raw, type FindOptionsWhere } from 'typeorm';
import { DomainError, IdSchema, SessionStatusSchema, FINAL_SESSION_STATUSES } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { ON_RUNNER } from '../../session/status-rules';
import { UsageRowEntity } from '../session-usage/usage-row.entity';
import { SessionRowEntity, type SessionRow } from './session-row.entity';

/** What the API shows of a session: the row without its bookkeeping columns. */
export function sessionView(row: SessionRow) {
  const { eventCount: _e, lastSeq: _s, pendingSeq: _p, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, costUsd, ...view } = row;
  return { ...view, usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, costUsd } };
}
export type SessionView = ReturnType<typeof sessionView>;

const Statuses = z.union([SessionStatusSchema, z.array(SessionStatusSchema).min(1).max(13)]);
const Page = { limit: z.number().int().min(1).max(1_000).default(100), offset: z.number().int().min(0).default(0) };

export function sessionQueries(read: ReadSide) {
  const repo = () => read.db.getRepository(SessionRowEntity);
  return {
    get_session: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const row = await repo().findOneBy({ id });
      if (!row) throw new DomainError('not_found', `session ${id} does not exist`, { sessionId: id });
      return sessionView(row);
    }),
    /** Newest first. `live`: not ended; `taskId`: sessions that have the task among theirs. */
    list_sessions: defineQuery(
      z.object({
        projectId: IdSchema.optional(),
        /** Only these projects' sessions: the gateway's filter for a user who is not an admin (docs/decisions/0023). */
        projectIds: z.array(IdSchema).max(10_000).optional(),
        status: Statuses.optional(),
        live: z.boolean().optional(),
        attemptId: IdSchema.optional(),
        taskId: IdSchema.optional(),
        parentSessionId: IdSchema.nullable().optional(),
        runnerId: IdSchema.optional(),
        templateId: IdSchema.optional(),
        ...Page,
      }),
      async (q, { minSeq }) => {
        await read.waitFor(minSeq);
        const statuses = q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status];
        const where: FindOptionsWhere<SessionRow> = {
          ...(q.projectId ? { projectId: q.projectId } : q.projectIds ? { projectId: In(q.projectIds) } : {}),
          ...(statuses ? { status: In(statuses) } : q.live === true ? { status: Not(In([...FINAL_SESSION_STATUSES])) } : q.live === false ? { status: In([...FINAL_SESSION_STATUSES]) } : {}),
          ...(q.attemptId ? { attemptId: q.attemptId } : {}),
          ...(q.parentSessionId === null ? { parentSessionId: IsNull() } : q.parentSessionId ? { parentSessionId: q.parentSessionId } : {}),
          ...(q.runnerId ? { runnerId: q.runnerId } : {}),
          ...(q.templateId ? { templateId: q.templateId } : {}),
          ...(q.taskId ? { taskIds: Raw((alias) => `${alias} @> :tasks::jsonb`, { tasks: JSON.stringify([q.taskId]) }) } : {}),
        };
        const [rows, total] = await repo().findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, take: q.limit, skip: q.offset });
        return { items: rows.map(sessionView), total, limit: q.limit, offset: q.offset };
      },
    ),
    /** Sessions waiting for a runner, in the order they will be placed (DESIGN §6: "in order, visibly"). */
    pending_queue: defineQuery(
      z.object({ projectId: IdSchema.optional(), projectIds: z.array(IdSchema).max(10_000).optional(), limit: z.number().int().min(1).max(10_000).default(500) }),
      async ({ projectId, projectIds, limit }, { minSeq }) => {
        await read.waitFor(minSeq);
        const rows = await repo().find({
          where: { status: 'pending', pendingSeq: Not(IsNull()), ...(projectId ? { projectId } : projectIds ? { projectId: In(projectIds) } : {}) },
          order: { pendingSeq: 'ASC' },
          take: limit,
        });
        return rows.map((r, i) => ({ position: i + 1, ...sessionView(r) }));
      },
    ),
    /** Sessions holding a slot on a runner: the scheduler's `running` and the liveness watcher's list. */
    running_sessions: defineQuery(z.object({ runnerId: IdSchema.optional() }), async ({ runnerId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await repo().find({ where: { status: In([...ON_RUNNER]), runnerId: runnerId ?? Not(IsNull()) } });
      return rows.map((r) => ({ sessionId: r.id, runnerId: r.runnerId!, projectId: r.projectId, templateId: r.templateId, status: r.status, statusSince: r.statusSince }));
    }),
    /** Usage summed over a project, optionally narrowed to a task, an attempt or a session. */
    usage_rollup: defineQuery(
      z.object({ projectId: IdSchema, taskId: IdSchema.optional(), attemptId: IdSchema.optional(), sessionId: IdSchema.optional() }),
      async ({ projectId, taskId, attemptId, sessionId }, { minSeq }) => {
        await read.waitFor(minSeq);
        const qb = read.db
          .getRepository(UsageRowEntity)
          .createQueryBuilder('u')
          .select('COALESCE(SUM(u.input_tokens), 0)', 'inputTokens')
          .addSelect('COALESCE(SUM(u.output_tokens), 0)', 'outputTokens')
          .addSelect('COALESCE(SUM(u.cache_read_tokens), 0)', 'cacheReadTokens')
          .addSelect('COALESCE(SUM(u.cache_write_tokens), 0)', 'cacheWriteTokens')
          .addSelect('COALESCE(SUM(u.cost_usd), 0)', 'costUsd')
          .addSelect('COUNT(DISTINCT u.session_id)', 'sessions')
          .where('u.project_id = :projectId', { projectId });
        if (taskId) qb.andWhere('u.task_id = :taskId', { taskId });
        if (attemptId) qb.andWhere('u.attempt_id = :attemptId', { attemptId });
        if (sessionId) qb.andWhere('u.session_id = :sessionId', { sessionId });
        const raw = (await qb.getRawOne<Record<string, string | number>>()) ?? {};
        const n = (k: string) => Number(raw[k] ?? 0);
        return {
          projectId,
          ...(taskId ? { taskId } : {}),
          ...(attemptId ? { attemptId } : {}),
          ...(sessionId ? { sessionId } : {}),
          inputTokens: n('inputTokens'),
          outputTokens: n('outputTokens'),
          cacheReadTokens: n('cacheReadTokens'),
          cacheWriteTokens: n('cacheWriteTokens'),
          costUsd: Math.round(n('costUsd') * 1e6) / 1e6,
          sessions: n('sessions'),
        };
      },
    ),
  };
}
