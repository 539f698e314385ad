import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema } from '../values';
import { ReasonSchema } from '../task/task.values';
import { MergeTrainSettingsSchema } from './merge-train.events';

/*
 * Merge-train commands (docs/decisions/0030). People configure the train; the runners answer
 * its steps (`record_build`, `record_land`); the autopilot reactor records the check session's
 * end (`record_check`).
 */

const project = { projectId: IdSchema };
const step = { ...project, target: BranchSchema, batchId: IdSchema };
const Commit = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a commit id');

export const ConfigureMergeTrain = defineCommand({
  type: 'merge_train.configure',
  service: 'tasks',
  schema: MergeTrainSettingsSchema.partial()
    .extend(project)
    .refine((d) => Object.keys(d).some((k) => k !== 'projectId'), 'name at least one setting: integration, checkCommand, checkTimeoutSeconds, maxBatch, maxFixRounds, fixer'),
});

const CarBuild = z.discriminatedUnion('outcome', [
  z.strictObject({ attemptId: IdSchema, outcome: z.literal('built'), commit: Commit, base: Commit }),
  z.strictObject({ attemptId: IdSchema, outcome: z.literal('conflict'), files: z.array(z.string().max(4_000)).max(1_000), message: ReasonSchema }),
  z.strictObject({ attemptId: IdSchema, outcome: z.literal('failed'), message: ReasonSchema }),
]);
const Landing = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('landed'), commit: Commit }),
  /** The target is not where the batch was built on any more: build it again on the new tip. */
  z.strictObject({ outcome: z.literal('moved'), message: ReasonSchema }),
  z.strictObject({ outcome: z.literal('failed'), message: ReasonSchema }),
]);

/** What a runner did with a build step: each car in order (a prefix of the step's, those it holds), and the landing when it was asked to land. */
export const RecordTrainBuild = defineCommand({
  type: 'merge_train.record_build',
  service: 'tasks',
  schema: z.strictObject({ ...step, cars: z.array(CarBuild).min(1).max(32), landing: Landing.nullable().default(null) }),
});

export const RecordTrainCheck = defineCommand({
  type: 'merge_train.record_check',
  service: 'tasks',
  schema: z.strictObject({ ...step, sessionId: IdSchema, passed: z.boolean(), summary: ReasonSchema.default('') }),
});

export const RecordTrainLand = defineCommand({
  type: 'merge_train.record_land',
  service: 'tasks',
  schema: z.intersection(z.strictObject(step), Landing),
});

export const mergeTrainCommands = [ConfigureMergeTrain, RecordTrainBuild, RecordTrainCheck, RecordTrainLand] as const;
