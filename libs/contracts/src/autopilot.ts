import { z } from 'zod';
import { AutopilotSettingsSchema, HoldReasonSchema, IdSchema, MergeTrainSettingsSchema, PlanDecisionSchema, ReasonSchema, TaskStatusSchema } from '@baton/events';

/** PUT /api/projects/:projectId/autopilot — change any settings (`enabled: true` switches it on). */
export const ConfigureAutopilotRequest = AutopilotSettingsSchema.partial().refine(
  (d) => Object.values(d).some((v) => v !== undefined),
  'name at least one setting: enabled, sessionTemplateId, plannerTemplateId, maxAttempts, onSuccess, decomposeDepth',
);
export type ConfigureAutopilotRequest = z.input<typeof ConfigureAutopilotRequest>;

/** POST /api/projects/:projectId/autopilot/pause — `stopAll` also abandons the attempts it is running (their sessions stop). */
export const PauseAutopilotRequest = z.strictObject({ reason: ReasonSchema.default(''), stopAll: z.boolean().default(false) });

/** POST /api/tasks/:id/decompose — start a planner session for the task. */
export const DecomposeTaskRequest = z.strictObject({
  depth: z.number().int().min(1, 'must be 1 to 5').max(5, 'must be 1 to 5').optional(),
  plannerTemplateId: IdSchema.optional(),
});

/** POST /api/tasks/:id/plan — a planner's decision (agents with the planner role, or a person). */
export const RecordPlanRequest = z.strictObject({
  decision: PlanDecisionSchema,
  reason: ReasonSchema.refine((r) => r.length > 0, "say why (the planner's reason goes on the task's timeline)"),
});

/** POST /api/tasks/:id/plan/review — accept or reject a proposed subtree (interactive tasks). */
export const ReviewPlanRequest = z.strictObject({ accept: z.boolean(), reason: ReasonSchema.default('') });

export const AutopilotTaskView = z.strictObject({
  taskId: z.string(),
  number: z.number().int(),
  title: z.string(),
  status: TaskStatusSchema,
  parentId: z.string().nullable(),
  dependsOn: z.array(z.string()),
  /** Dependencies that have not met their condition yet. */
  waitingOn: z.array(z.string()),
  attempts: z.number().int(),
  activeAttemptId: z.string().nullable(),
  failures: z.number().int(),
  gaveUp: z.boolean(),
  /** A hold on the task itself or inherited from an ancestor. */
  hold: HoldReasonSchema.nullable(),
  heldBy: z.string().nullable(),
  planning: z.boolean(),
});
export type AutopilotTaskView = z.output<typeof AutopilotTaskView>;

export const AutopilotDecisionView = z.strictObject({
  seq: z.number().int(),
  at: z.string(),
  type: z.string(),
  taskId: z.string().nullable(),
  summary: z.string(),
});

export const AutopilotNeedsInputView = z.strictObject({
  taskId: z.string(),
  attemptId: z.string(),
  heldTaskId: z.string(),
  into: z.string(),
  files: z.array(z.string()),
  message: z.string(),
});

/** GET /api/projects/:projectId/autopilot — settings, state, every task as the autopilot sees it, and its latest decisions. */
export const AutopilotStatus = z.strictObject({
  projectId: z.string(),
  settings: AutopilotSettingsSchema,
  state: z.enum(['off', 'running', 'paused']),
  tasks: z.array(AutopilotTaskView),
  needsInput: z.array(AutopilotNeedsInputView),
  decisions: z.array(AutopilotDecisionView),
  /** Log position the answer reflects. */
  seq: z.number().int(),
});
export type AutopilotStatus = z.output<typeof AutopilotStatus>;

/** PATCH /api/projects/:projectId/merge-train — change any of the train's settings. */
export const ConfigureMergeTrainRequest = MergeTrainSettingsSchema.partial().refine(
  (d) => Object.values(d).some((v) => v !== undefined),
  'name at least one setting: integration, checkCommand, checkTimeoutSeconds, maxBatch, maxFixRounds, fixer',
);
export type ConfigureMergeTrainRequest = z.input<typeof ConfigureMergeTrainRequest>;

/** One car of a train: where it stands and why it waits. */
export const TrainCarView = z.strictObject({
  taskId: z.string(),
  taskNumber: z.number().int().nullable(),
  title: z.string(),
  attemptId: z.string(),
  branch: z.string(),
  /** 1 for the car at the front. */
  position: z.number().int().positive(),
  state: z.enum(['waiting', 'building', 'built', 'checking', 'landing']),
  /** Why it waits, or what it is doing, in a sentence. */
  why: z.string(),
  joinedAt: z.string().nullable(),
  /** Fix rounds it had so far. */
  rounds: z.number().int(),
});

/** A car sent back to be fixed (by its agent or a person), until it joins again. */
export const ReturnedCarView = z.strictObject({
  taskId: z.string(),
  attemptId: z.string(),
  branch: z.string(),
  why: z.enum(['conflict', 'check_failed', 'failed']),
  files: z.array(z.string()),
  checkSessionId: z.string().nullable(),
  message: z.string(),
  round: z.number().int(),
  toPerson: z.boolean(),
  at: z.string(),
});

export const MergeTrainView = z.strictObject({
  target: z.string(),
  batch: z
    .strictObject({
      batchId: z.string(),
      number: z.number().int(),
      phase: z.enum(['building', 'checking', 'landing']),
      bisecting: z.boolean(),
      base: z.string().nullable(),
      checkSessionId: z.string().nullable(),
      startedAt: z.string().nullable(),
    })
    .nullable(),
  cars: z.array(TrainCarView),
  returned: z.array(ReturnedCarView),
  /** After a failed batch: the halves still to try (attempt ids). */
  groups: z.array(z.array(z.string())),
  /** The last batches that ended, newest last. */
  recent: z.array(z.strictObject({ batchId: z.string(), number: z.number().int().nullable(), outcome: z.string(), commit: z.string().nullable(), reason: z.string(), at: z.string() })),
});
export type MergeTrainView = z.output<typeof MergeTrainView>;

/** GET /api/projects/:projectId/merge-train — the train's settings and every train (one per target branch). */
export const MergeTrainStatus = z.strictObject({
  projectId: z.string(),
  settings: MergeTrainSettingsSchema,
  trains: z.array(MergeTrainView),
  seq: z.number().int(),
});
export type MergeTrainStatus = z.output<typeof MergeTrainStatus>;
