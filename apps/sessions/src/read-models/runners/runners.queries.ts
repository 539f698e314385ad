import { z } from 'zod';
import { In } from 'typeorm';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { ON_RUNNER } from '../../session/status-rules';
import { SessionRowEntity } from '../sessions/session-row.entity';
import { RunnerRowEntity, type RunnerRow } from './runner-row.entity';

/** `alive` is not known here (KV heartbeats): the gateway or the service adds it. */
export function runnerQueries(read: ReadSide) {
  const running = async (ids: string[]) => {
    if (!ids.length) return new Map<string, number>();
    const rows = await read.db
      .getRepository(SessionRowEntity)
      .createQueryBuilder('s')
      .select('s.runner_id', 'runnerId')
      .addSelect('COUNT(*)', 'count')
      .where({ runnerId: In(ids), status: In([...ON_RUNNER]) })
      .groupBy('s.runner_id')
      .getRawMany<{ runnerId: string; count: string }>();
    return new Map(rows.map((r) => [r.runnerId, Number(r.count)]));
  };
  const view = (r: RunnerRow, counts: Map<string, number>) => {
    const { eventCount: _e, lastSeq: _s, ...v } = r;
    return { ...v, running: counts.get(r.id) ?? 0 };
  };
  return {
    list_runners: defineQuery(z.object({ status: z.enum(['registered', 'deregistered']).optional() }), async ({ status }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await read.db.getRepository(RunnerRowEntity).find({ where: status ? { status } : {}, order: { id: 'ASC' } });
      const counts = await running(rows.map((r) => r.id));
      return rows.map((r) => view(r, counts));
    }),
    get_runner: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const row = await read.db.getRepository(RunnerRowEntity).findOneBy({ id });
      if (!row) throw new DomainError('not_found', `runner ${id} is not registered`, { runnerId: id });
      return view(row, await running([id]));
    }),
  };
}
