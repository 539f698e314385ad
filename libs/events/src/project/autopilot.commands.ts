import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema } from '../values';
import { ReasonSchema } from '../task/task.values';
import { FinalSessionStatusSchema } from '../session/session.values';
import { AutopilotSettingsSchema, PlanDecisionSchema } from './autopilot.events';
import { mergeTrainCommands } from './merge-train.commands';

/*
 * Autopilot commands. People configure, pause, resume and stop it; the tasks service's
 * autopilot reactor sends `dispatch`, `record_session_end` and `merge`; the runner that
 * merged sends `record_merge`; a planner agent sends `task.record_plan`.
 */

const project = { projectId: IdSchema };

export const ConfigureAutopilot = defineCommand({
  type: 'autopilot.configure',
  service: 'tasks',
  schema: AutopilotSettingsSchema.partial()
    .extend(project)
    .refine((d) => Object.keys(d).some((k) => k !== 'projectId'), 'name at least one setting: enabled, sessionTemplateId, plannerTemplateId, maxAttempts, onSuccess, decomposeDepth'),
});

/** `stopAll`: also abandon every active attempt (their sessions stop); otherwise running work finishes. */
export const PauseAutopilot = defineCommand({
  type: 'autopilot.pause',
  service: 'tasks',
  schema: z.strictObject({ ...project, reason: ReasonSchema.default(''), stopAll: z.boolean().default(false) }),
});

export const ResumeAutopilot = defineCommand({
  type: 'autopilot.resume',
  service: 'tasks',
  schema: z.strictObject(project),
});

/** Starts attempts for ready tasks the autopilot may run; `taskIds: null` looks at every task. */
export const DispatchReadyTasks = defineCommand({
  type: 'autopilot.dispatch',
  service: 'tasks',
  schema: z.strictObject({ ...project, taskIds: z.array(IdSchema).max(10_000).nullable().default(null), reason: ReasonSchema.default('ready') }),
});

export const RecordAttemptSessionEnd = defineCommand({
  type: 'autopilot.record_session_end',
  service: 'tasks',
  schema: z.strictObject({
    ...project,
    taskId: IdSchema,
    attemptId: IdSchema,
    sessionId: IdSchema,
    status: FinalSessionStatusSchema,
    reason: ReasonSchema.default(''),
  }),
});

/** Merge a completed attempt (autopilot after review was requested, or a person retrying after a conflict). */
export const MergeAttemptByAutopilot = defineCommand({
  type: 'autopilot.merge',
  service: 'tasks',
  schema: z.strictObject({
    ...project,
    taskId: IdSchema,
    attemptId: IdSchema.nullable().default(null),
    /** From the reactor: merge only the autopilot's own attempts, and only when its policy is `merge`. */
    auto: z.boolean().default(false),
  }),
});

export const RecordAutopilotMerge = defineCommand({
  type: 'autopilot.record_merge',
  service: 'tasks',
  schema: z.discriminatedUnion('outcome', [
    z.strictObject({ ...project, taskId: IdSchema, attemptId: IdSchema, into: BranchSchema, outcome: z.literal('merged'), commit: z.string().regex(/^[0-9a-f]{7,64}$/) }),
    z.strictObject({ ...project, taskId: IdSchema, attemptId: IdSchema, into: BranchSchema, outcome: z.literal('conflict'), files: z.array(z.string().max(4_000)).max(1_000), message: ReasonSchema }),
    z.strictObject({ ...project, taskId: IdSchema, attemptId: IdSchema, into: BranchSchema, outcome: z.literal('failed'), message: ReasonSchema }),
  ]),
});

export const DecomposeTask = defineCommand({
  type: 'task.decompose',
  service: 'tasks',
  schema: z.strictObject({
    ...project,
    taskId: IdSchema,
    /** The planner session's id; derived by the caller so a retry starts one planner. */
    sessionId: IdSchema.max(55),
    depth: z.number().int().min(1, 'must be 1 to 5').max(5, 'must be 1 to 5').nullable().default(null),
    plannerTemplateId: IdSchema.nullable().default(null),
  }),
});

export const RecordTaskPlan = defineCommand({
  type: 'task.record_plan',
  service: 'tasks',
  schema: z.strictObject({
    ...project,
    taskId: IdSchema,
    decision: PlanDecisionSchema,
    reason: ReasonSchema.refine((r) => r.length > 0, 'say why (the planner\'s reason goes on the task\'s timeline)'),
    sessionId: IdSchema.nullable().default(null),
  }),
});

/** A planner session ended: if it recorded no decision, the hold on its task is released. */
export const RecordPlannerEnd = defineCommand({
  type: 'task.record_planner_end',
  service: 'tasks',
  schema: z.strictObject({ ...project, taskId: IdSchema, sessionId: IdSchema, status: FinalSessionStatusSchema, reason: ReasonSchema.default('') }),
});

export const ReviewTaskPlan = defineCommand({
  type: 'task.review_plan',
  service: 'tasks',
  schema: z.strictObject({ ...project, taskId: IdSchema, accept: z.boolean(), reason: ReasonSchema.default('') }),
});

export const autopilotCommands = [
  ConfigureAutopilot,
  PauseAutopilot,
  ResumeAutopilot,
  DispatchReadyTasks,
  RecordAttemptSessionEnd,
  MergeAttemptByAutopilot,
  RecordAutopilotMerge,
  DecomposeTask,
  RecordTaskPlan,
  RecordPlannerEnd,
  ReviewTaskPlan,
  ...mergeTrainCommands,
] as const;
