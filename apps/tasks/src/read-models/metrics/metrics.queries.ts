import { z } from 'zod';
import { In } from 'typeorm';
import { IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { AttemptRowEntity } from '../attempts/attempt-row.entity';
import { PromptVersionRowEntity } from '../prompt-templates/prompt-template-row.entity';
import { TaskRowEntity } from '../tasks/task-row.entity';
import { projectMetrics, promptVersionMetrics } from './metrics';

/** Computed on demand from the tasks and attempts rows of one project (or template). */
export function metricsQueries(read: ReadSide) {
  return {
    project_metrics: defineQuery(z.object({ projectId: IdSchema }), async ({ projectId }, { minSeq }) => {
      await read.waitFor(minSeq);
      return { projectId, ...projectMetrics(await read.db.getRepository(TaskRowEntity).findBy({ projectId })) };
    }),
    prompt_version_metrics: defineQuery(
      z.object({ projectId: IdSchema.optional(), templateId: IdSchema.optional() }).refine((q) => q.projectId || q.templateId, 'name a projectId or a templateId'),
      async ({ projectId, templateId }, { minSeq }) => {
        await read.waitFor(minSeq);
        const versionIds = templateId ? (await read.db.getRepository(PromptVersionRowEntity).findBy({ templateId })).map((v) => v.id) : null;
        if (versionIds && !versionIds.length) return [];
        const where = { ...(projectId ? { projectId } : {}), ...(versionIds ? { promptVersionId: In(versionIds) } : {}) };
        return promptVersionMetrics(await read.db.getRepository(AttemptRowEntity).findBy(where));
      },
    ),
  };
}
