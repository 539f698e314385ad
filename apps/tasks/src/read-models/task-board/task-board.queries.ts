import { z } from 'zod';
import { IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { TaskRowEntity } from '../tasks/task-row.entity';
import { taskBoard } from './task-board';

export function taskBoardQueries(read: ReadSide) {
  return {
    task_board: defineQuery(z.object({ projectId: IdSchema, parentId: IdSchema.optional() }), async ({ projectId, parentId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await read.db.getRepository(TaskRowEntity).findBy({ projectId });
      return taskBoard(rows, parentId ? { parentId } : {});
    }),
  };
}
