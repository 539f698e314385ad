import { z } from 'zod';
import { MoreThan } from 'typeorm';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { AttemptMessageRowEntity, AttemptRowEntity, type AttemptRow } from './attempt-row.entity';

export function attemptView(row: AttemptRow) {
  const { eventCount: _e, lastSeq: _s, ...view } = row;
  return view;
}
export type AttemptView = ReturnType<typeof attemptView>;

export function attemptQueries(read: ReadSide) {
  const attempts = () => read.db.getRepository(AttemptRowEntity);
  return {
    get_attempt: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const row = await attempts().findOneBy({ id });
      if (!row) throw new DomainError('not_found', `attempt ${id} does not exist`, { attemptId: id });
      return attemptView(row);
    }),
    list_attempts: defineQuery(z.object({ taskId: IdSchema }), async ({ taskId }, { minSeq }) => {
      await read.waitFor(minSeq);
      return (await attempts().find({ where: { taskId }, order: { number: 'ASC' } })).map(attemptView);
    }),
    /** The conversation in order, across all sessions; page with `afterSeq`. */
    list_attempt_messages: defineQuery(
      z.object({ attemptId: IdSchema, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1_000).default(200) }),
      async ({ attemptId, afterSeq, limit }, { minSeq }) => {
        await read.waitFor(minSeq);
        const rows = await read.db
          .getRepository(AttemptMessageRowEntity)
          .find({ where: { attemptId, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' }, take: limit });
        return { items: rows, nextAfterSeq: rows.length ? rows[rows.length - 1].seq : afterSeq };
      },
    ),
  };
}
