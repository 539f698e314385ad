import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema } from '../values';
import { ReasonSchema } from '../task/task.values';

/*
 * The merge train (issue #14, docs/decisions/0030-merge-train.md) lives on the project's
 * subject beside the graph and the autopilot: a car's landing finishes its attempt and its
 * task in the same decision, and a car sent back to its agent is one decision with the
 * train's next step.
 *
 * One train per target branch. A completed attempt joins it; the train takes the cars at its
 * front as a batch, builds them one on top of the other on the runners that hold their
 * branches (each car's build is a step: squash, rebase or merge onto the last one's result),
 * runs the project's check command on the result in a session of its own, and moves the target
 * there only if the check passed. A failing batch is split in halves (bisect); a car that fails
 * alone, or conflicts, goes back to its agent with the files or the check's output.
 */

/** How a car is put on top of the target: one squashed commit, its own commits replayed, or a merge commit. */
export const TRAIN_INTEGRATIONS = ['squash', 'rebase', 'merge'] as const;
export const TrainIntegrationSchema = z.enum(TRAIN_INTEGRATIONS);
export type TrainIntegration = z.infer<typeof TrainIntegrationSchema>;

/** Who fixes a conflict or a failed check: the agent (up to `maxFixRounds`, then a person) or a person at once. */
export const TRAIN_FIXERS = ['agent', 'person'] as const;
export const TrainFixerSchema = z.enum(TRAIN_FIXERS);

export const CheckCommandSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty (null: no check)')
  .max(2_000, 'must be at most 2000 characters')
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

export const MergeTrainSettingsSchema = z.strictObject({
  integration: TrainIntegrationSchema,
  /** Run with `sh -c` in a checkout of the batch's result (sandboxed like every session); null: no check. */
  checkCommand: CheckCommandSchema.nullable(),
  /** How long the check may run before it counts as failed. */
  checkTimeoutSeconds: z.number().int().min(10, 'must be 10 to 86400').max(86_400, 'must be 10 to 86400'),
  /** Cars taken together when several wait (1: one at a time). */
  maxBatch: z.number().int().min(1, 'must be 1 to 32').max(32, 'must be 1 to 32'),
  /** Conflicts and failed checks sent back to the agent before a person is asked. */
  maxFixRounds: z.number().int().min(0, 'must be 0 to 10').max(10, 'must be 0 to 10'),
  fixer: TrainFixerSchema,
});
export type MergeTrainSettings = z.infer<typeof MergeTrainSettingsSchema>;

export const DEFAULT_MERGE_TRAIN_SETTINGS: MergeTrainSettings = {
  integration: 'squash',
  checkCommand: null,
  checkTimeoutSeconds: 1_800,
  maxBatch: 4,
  maxFixRounds: 2,
  fixer: 'agent',
};

const CommitSchema = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a commit id');
export const TrainCarSchema = z.object({ taskId: IdSchema, attemptId: IdSchema, branch: BranchSchema });
export type TrainCar = z.infer<typeof TrainCarSchema>;

export const MergeTrainConfigured = defineEvent({
  type: 'project.merge_train_configured',
  aggregate: 'project',
  schema: MergeTrainSettingsSchema,
});

/** A completed attempt waits to land on `target`. */
export const MergeTrainJoined = defineEvent({
  type: 'project.merge_train_joined',
  aggregate: 'project',
  schema: TrainCarSchema.extend({ target: BranchSchema, reason: ReasonSchema }),
});

/** The cars at the train's front are built and checked together; `bisecting`: a half of a batch that failed its check. */
export const MergeTrainBatchStarted = defineEvent({
  type: 'project.merge_train_batch_started',
  aggregate: 'project',
  schema: z.object({
    target: BranchSchema,
    batchId: IdSchema,
    number: z.number().int().positive(),
    cars: z.array(TrainCarSchema).min(1).max(32),
    bisecting: z.boolean(),
  }),
});

/**
 * A step for runners: `build` puts the cars, in order, each on the one before, the first on
 * `onto` (null: the target's tip) — on the runners holding their branches, as many at a time as
 * one runner holds — and with `land` (no check to run) moves the target to the result at once;
 * `land` alone moves the target to a checked `commit`, only ever as a fast-forward.
 */
export const MergeTrainStepRequested = defineEvent({
  type: 'project.merge_train_step_requested',
  aggregate: 'project',
  schema: z.discriminatedUnion('step', [
    z.object({
      step: z.literal('build'),
      target: BranchSchema,
      batchId: IdSchema,
      cars: z.array(TrainCarSchema).min(1).max(32),
      onto: CommitSchema.nullable(),
      integration: TrainIntegrationSchema,
      land: z.boolean(),
    }),
    z.object({ step: z.literal('land'), target: BranchSchema, batchId: IdSchema, car: TrainCarSchema, commit: CommitSchema, base: CommitSchema }),
  ]),
});

/** A car is on top of the batch's result so far: `commit` is the new result, `base` the target's tip under the batch. */
export const MergeTrainCarBuilt = defineEvent({
  type: 'project.merge_train_car_built',
  aggregate: 'project',
  schema: z.object({ target: BranchSchema, batchId: IdSchema, attemptId: IdSchema, commit: CommitSchema, base: CommitSchema }),
});

/** The project's check runs on the batch's result, in session `sessionId`. */
export const MergeTrainCheckStarted = defineEvent({
  type: 'project.merge_train_check_started',
  aggregate: 'project',
  schema: z.object({
    target: BranchSchema,
    batchId: IdSchema,
    sessionId: IdSchema,
    commit: CommitSchema,
    command: CheckCommandSchema,
    timeoutSeconds: z.number().int().positive(),
  }),
});

export const MergeTrainCheckFinished = defineEvent({
  type: 'project.merge_train_check_finished',
  aggregate: 'project',
  schema: z.object({ target: BranchSchema, batchId: IdSchema, sessionId: IdSchema, passed: z.boolean(), summary: ReasonSchema }),
});

/**
 * A car leaves the train to be fixed: by its agent (a follow-up in its attempt carrying the
 * conflicting files or the check's output; it joins again when that session completes) or,
 * with `toPerson`, by a person (the autopilot's needs-input follows in the same decision).
 */
export const MergeTrainCarReturned = defineEvent({
  type: 'project.merge_train_car_returned',
  aggregate: 'project',
  schema: TrainCarSchema.extend({
    target: BranchSchema,
    batchId: IdSchema.nullable(),
    why: z.enum(['conflict', 'check_failed', 'failed']),
    files: z.array(z.string().max(4_000)).max(1_000),
    /** The check's session, to watch or replay; null for a conflict. */
    checkSessionId: IdSchema.nullable(),
    message: ReasonSchema,
    /** Fix rounds so far for this attempt, this one included. */
    round: z.number().int().min(1),
    toPerson: z.boolean(),
  }),
});

/**
 * A car conflicted with the cars built before it in its batch, not with the target: that is
 * nobody's fault yet (those cars may never land), so it waits for the next batch, which is built
 * on the target as it will be then — and a conflict there goes back to its agent.
 */
export const MergeTrainCarDeferred = defineEvent({
  type: 'project.merge_train_car_deferred',
  aggregate: 'project',
  schema: z.object({ target: BranchSchema, batchId: IdSchema, attemptId: IdSchema, files: z.array(z.string().max(4_000)).max(1_000), reason: ReasonSchema }),
});

/** Cars whose attempt ended otherwise (abandoned, merged by hand) leave without a fix. */
export const MergeTrainCarLeft = defineEvent({
  type: 'project.merge_train_car_left',
  aggregate: 'project',
  schema: z.object({ target: BranchSchema, attemptId: IdSchema, reason: ReasonSchema }),
});

/**
 * The batch is over. `landed`: its cars are on the target at `commit`; `split`: its check failed
 * and it is tried again in halves; `rebuild`: the target moved meanwhile, the same cars go again;
 * `emptied`: every car went back to be fixed.
 */
export const MergeTrainBatchEnded = defineEvent({
  type: 'project.merge_train_batch_ended',
  aggregate: 'project',
  schema: z.object({
    target: BranchSchema,
    batchId: IdSchema,
    outcome: z.enum(['landed', 'split', 'rebuild', 'emptied']),
    commit: CommitSchema.nullable(),
    /** `split`: the groups tried next, in order (attempt ids). */
    groups: z.array(z.array(IdSchema).min(1).max(32)).max(2),
    reason: ReasonSchema,
  }),
});

export const mergeTrainEvents = [
  MergeTrainConfigured,
  MergeTrainJoined,
  MergeTrainBatchStarted,
  MergeTrainStepRequested,
  MergeTrainCarBuilt,
  MergeTrainCheckStarted,
  MergeTrainCheckFinished,
  MergeTrainCarReturned,
  MergeTrainCarDeferred,
  MergeTrainCarLeft,
  MergeTrainBatchEnded,
] as const;

export type MergeTrainEvent =
  | EventOf<typeof MergeTrainConfigured>
  | EventOf<typeof MergeTrainJoined>
  | EventOf<typeof MergeTrainBatchStarted>
  | EventOf<typeof MergeTrainStepRequested>
  | EventOf<typeof MergeTrainCarBuilt>
  | EventOf<typeof MergeTrainCheckStarted>
  | EventOf<typeof MergeTrainCheckFinished>
  | EventOf<typeof MergeTrainCarReturned>
  | EventOf<typeof MergeTrainCarDeferred>
  | EventOf<typeof MergeTrainCarLeft>
  | EventOf<typeof MergeTrainBatchEnded>;
