import { z } from 'zod';
import { IdSchema, TASK_STATUSES } from '@baton/events';
import { MinSeq } from './common';

const Durations = z.strictObject({ count: z.number().int(), meanMs: z.number().nullable(), p90Ms: z.number().nullable() });

export const ProjectMetrics = z.strictObject({
  projectId: z.string(),
  tasksByStatus: z.strictObject(Object.fromEntries(TASK_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof TASK_STATUSES)[number], z.ZodNumber>),
  total: z.number().int(),
  workTasks: z.number().int().describe('Tasks without subtasks: the rest of the figures count only these.'),
  timeToDone: Durations.describe('Creation to done.'),
  startToDone: Durations.describe('First start to done.'),
  failureRate: z.number().nullable().describe('failed / (done + failed)'),
  attemptsPerTask: z.number().nullable(),
  sessionsPerTask: z.number().nullable(),
});
export type ProjectMetrics = z.output<typeof ProjectMetrics>;

export const PromptVersionMetrics = z.strictObject({
  promptVersionId: z.string(),
  attempts: z.number().int(),
  finished: z.number().int(),
  merged: z.number().int(),
  completionRate: z.number().nullable().describe('merged / finished attempts'),
  tasks: z.number().int(),
  taskCompletionRate: z.number().nullable(),
  attemptsPerTask: z.number(),
});
export const PromptMetricsList = z.array(PromptVersionMetrics);

export const PromptMetricsQuery = z
  .strictObject({ projectId: IdSchema.optional(), templateId: IdSchema.optional(), minSeq: MinSeq })
  .refine((q) => q.projectId || q.templateId, { message: 'name a projectId or a templateId', path: ['projectId'] });
