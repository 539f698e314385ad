import { z } from 'zod';
import { And, In, LessThanOrEqual, MoreThan, type FindOptionsWhere } from 'typeorm';
import { IdSchema, TimelineKindSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { TimelineRowEntity, type TimelineRow } from './timeline-row.entity';

export function timelineQueries(read: ReadSide) {
  return {
    /** A session's timeline in order; `kinds` filters, `until` / `untilSeq` cut it at an instant, `afterSeq` pages. */
    session_timeline: defineQuery(
      z.object({
        sessionId: IdSchema,
        kinds: z.array(TimelineKindSchema).min(1).max(17).optional(),
        until: z.iso.datetime().optional(),
        untilSeq: z.number().int().min(0).optional(),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5_000).default(500),
      }),
      async ({ sessionId, kinds, until, untilSeq, afterSeq, limit }, { minSeq }) => {
        await read.waitFor(minSeq);
        const where: FindOptionsWhere<TimelineRow> = {
          sessionId,
          seq: untilSeq !== undefined ? And(MoreThan(afterSeq), LessThanOrEqual(untilSeq)) : MoreThan(afterSeq),
          ...(kinds ? { kind: In(kinds) } : {}),
          ...(until ? { at: LessThanOrEqual(until) } : {}),
        };
        const rows = await read.db.getRepository(TimelineRowEntity).find({ where, order: { seq: 'ASC' }, take: limit });
        return { items: rows, nextAfterSeq: rows.length ? rows[rows.length - 1].seq : afterSeq };
      },
    ),
  };
}
