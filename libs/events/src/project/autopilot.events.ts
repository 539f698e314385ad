import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema } from '../values';
import { ReasonSchema } from '../task/task.values';
import { mergeTrainEvents, type MergeTrainEvent } from './merge-train.events';

/*
 * Autopilot (DESIGN §6) lives on the project's subject beside the task graph: whether a
 * ready task may start is decided together with the graph it belongs to, so a dispatch,
 * the attempt it starts and the task's new status are one decision
 * (docs/decisions/0014-autopilot-on-the-project-aggregate.md).
 */

export const AUTOPILOT_ON_SUCCESS = ['review', 'merge'] as const;
export const AutopilotOnSuccessSchema = z.enum(AUTOPILOT_ON_SUCCESS);
export type AutopilotOnSuccess = z.infer<typeof AutopilotOnSuccessSchema>;

export const AutopilotSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** What a dispatched task runs; a project template id or a built-in (`baton-demo-agent`, `claude-code` …). */
  sessionTemplateId: IdSchema,
  /** What a planner session runs (`baton task decompose`). */
  plannerTemplateId: IdSchema,
  /** Attempts per task before it is failed (each failure starts a NEW attempt on a new branch). */
  maxAttempts: z.number().int().min(1, 'must be 1 to 10').max(10, 'must be 1 to 10'),
  /** When an attempt's session completes: leave it `in_review` for a person, or merge it and mark the task done. */
  onSuccess: AutopilotOnSuccessSchema,
  /** How deep `decompose` recurses into the subtasks it creates (1: the task only). */
  decomposeDepth: z.number().int().min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
});
export type AutopilotSettings = z.infer<typeof AutopilotSettingsSchema>;

export const DEFAULT_AUTOPILOT_SETTINGS: AutopilotSettings = {
  enabled: false,
  sessionTemplateId: 'baton-demo-agent',
  plannerTemplateId: 'baton-demo-agent',
  maxAttempts: 3,
  onSuccess: 'merge',
  decomposeDepth: 1,
};

/** Why the autopilot holds a subtree back: it is being planned, its plan awaits a person, or a merge conflicted. */
export const HOLD_REASONS = ['planning', 'plan_review', 'merge_conflict'] as const;
export const HoldReasonSchema = z.enum(HOLD_REASONS);
export type HoldReason = z.infer<typeof HoldReasonSchema>;

export const AutopilotConfigured = defineEvent({
  type: 'project.autopilot_configured',
  aggregate: 'project',
  schema: AutopilotSettingsSchema,
});

export const AutopilotPaused = defineEvent({
  type: 'project.autopilot_paused',
  aggregate: 'project',
  schema: z.object({ reason: ReasonSchema, stopAll: z.boolean() }),
});

export const AutopilotResumed = defineEvent({
  type: 'project.autopilot_resumed',
  aggregate: 'project',
  schema: z.object({}),
});

/** A ready task started an attempt (the attempt's own events follow in the same decision). */
export const AutopilotTaskDispatched = defineEvent({
  type: 'project.autopilot_task_dispatched',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, number: z.number().int().positive(), sessionTemplateId: IdSchema, reason: ReasonSchema }),
});

/** An attempt's session ended without completing: the attempt is abandoned; a retry or a give-up follows. */
export const AutopilotAttemptFailed = defineEvent({
  type: 'project.autopilot_attempt_failed',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, failures: z.number().int().positive(), reason: ReasonSchema }),
});

export const AutopilotTaskGivenUp = defineEvent({
  type: 'project.autopilot_task_given_up',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, failures: z.number().int().positive(), reason: ReasonSchema }),
});

/** A completed attempt is to be merged into its base branch, on the runner that holds its worktree. */
export const AutopilotMergeRequested = defineEvent({
  type: 'project.autopilot_merge_requested',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, branch: BranchSchema, into: BranchSchema }),
});

export const AutopilotMerged = defineEvent({
  type: 'project.autopilot_merged',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, into: BranchSchema, commit: z.string().regex(/^[0-9a-f]{7,64}$/) }),
});

/**
 * The merge conflicted: the task's subtree (its parent's, for a subtask) is held and a person
 * or a session in the attempt resolves it; the attempt's next completed session merges again.
 */
export const AutopilotNeedsInput = defineEvent({
  type: 'project.autopilot_needs_input',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    attemptId: IdSchema,
    /** The subtree held back until it is resolved. */
    heldTaskId: IdSchema,
    into: BranchSchema,
    files: z.array(z.string().max(4_000)).max(1_000),
    message: ReasonSchema,
  }),
});

/** A hold on a subtree began or ended. */
export const AutopilotHoldChanged = defineEvent({
  type: 'project.autopilot_hold_changed',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, hold: HoldReasonSchema.nullable(), reason: ReasonSchema }),
});

export const PLAN_DECISIONS = ['execute', 'decompose'] as const;
export const PlanDecisionSchema = z.enum(PLAN_DECISIONS);
export type PlanDecision = z.infer<typeof PlanDecisionSchema>;

export const TaskPlanningStarted = defineEvent({
  type: 'project.task_planning_started',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    /** The planner session's id (the sessions service spawns it). */
    sessionId: IdSchema,
    plannerTemplateId: IdSchema,
    /** Levels still to decompose below this task, this one included. */
    depth: z.number().int().min(1).max(5),
  }),
});

/** The planner's decision, with its reason; `children`: the subtasks it created (decompose). */
export const TaskPlanned = defineEvent({
  type: 'project.task_planned',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    decision: PlanDecisionSchema,
    reason: ReasonSchema,
    children: z.array(IdSchema).max(200),
    sessionId: IdSchema.nullable(),
    /** Interactive tasks: a person accepts (or rejects) the subtree before it runs. */
    needsApproval: z.boolean(),
    /** Levels still to decompose, this one included: children are planned when it is above 1. */
    depth: z.number().int().min(1).max(5),
  }),
});

export const TaskPlanReviewed = defineEvent({
  type: 'project.task_plan_reviewed',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, accepted: z.boolean(), reason: ReasonSchema, children: z.array(IdSchema).max(200), depth: z.number().int().min(1).max(5) }),
});

export const autopilotEvents = [
  AutopilotConfigured,
  AutopilotPaused,
  AutopilotResumed,
  AutopilotTaskDispatched,
  AutopilotAttemptFailed,
  AutopilotTaskGivenUp,
  AutopilotMergeRequested,
  AutopilotMerged,
  AutopilotNeedsInput,
  AutopilotHoldChanged,
  TaskPlanningStarted,
  TaskPlanned,
  TaskPlanReviewed,
  // The merge train is decided with the autopilot (docs/decisions/0030).
  ...mergeTrainEvents,
] as const;

export type AutopilotEvent =
  | EventOf<typeof AutopilotConfigured>
  | EventOf<typeof AutopilotPaused>
  | EventOf<typeof AutopilotResumed>
  | EventOf<typeof AutopilotTaskDispatched>
  | EventOf<typeof AutopilotAttemptFailed>
  | EventOf<typeof AutopilotTaskGivenUp>
  | EventOf<typeof AutopilotMergeRequested>
  | EventOf<typeof AutopilotMerged>
  | EventOf<typeof AutopilotNeedsInput>
  | EventOf<typeof AutopilotHoldChanged>
  | EventOf<typeof TaskPlanningStarted>
  | EventOf<typeof TaskPlanned>
  | EventOf<typeof TaskPlanReviewed>
  | MergeTrainEvent;

export const AUTOPILOT_EVENT_TYPES: ReadonlySet<string> = new Set(autopilotEvents.map((e) => e.type));
export function isAutopilotEvent(e: { type: string }): e is AutopilotEvent {
  return AUTOPILOT_EVENT_TYPES.has(e.type);
}
