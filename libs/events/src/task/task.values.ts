import { z } from 'zod';
import { IdSchema } from '../envelope';
import { NameSchema, TextSchema } from '../values';

export const TASK_STATUSES = ['todo', 'ready', 'in_progress', 'in_review', 'done', 'failed', 'cancelled', 'blocked'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** `success`: the dependency is done; `failure`: it failed; `any`: it finished in any way (done, failed or cancelled). */
export const DEPENDENCY_CONDITIONS = ['success', 'any', 'failure'] as const;
export const DependencyConditionSchema = z.enum(DEPENDENCY_CONDITIONS);
export type DependencyCondition = z.infer<typeof DependencyConditionSchema>;

export const EXECUTION_MODES = ['interactive', 'autonomous'] as const;
export const ExecutionModeSchema = z.enum(EXECUTION_MODES);
export type ExecutionMode = z.infer<typeof ExecutionModeSchema>;

/** 0 is the most urgent (P0), 4 the least. */
export const PrioritySchema = z.number().int().min(0, 'must be 0 (most urgent) to 4').max(4, 'must be 0 (most urgent) to 4');
export const LabelSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');
export const LabelsSchema = z.array(LabelSchema).max(50, 'at most 50 labels');
export const AcceptanceCriteriaSchema = z.array(z.string().trim().min(1, 'must not be empty').max(2_000)).max(100, 'at most 100 criteria');

/** What a person writes about a task; everything else about it is decided by Baton. */
export const TaskDetailsSchema = z.object({
  title: NameSchema,
  description: TextSchema,
  acceptanceCriteria: AcceptanceCriteriaSchema,
  priority: PrioritySchema,
  labels: LabelsSchema,
  executionMode: ExecutionModeSchema,
});
export type TaskDetails = z.infer<typeof TaskDetailsSchema>;

export const DependencySchema = z.object({ taskId: IdSchema, condition: DependencyConditionSchema });
export type Dependency = z.infer<typeof DependencySchema>;

export const ATTEMPT_OUTCOMES = ['merged', 'abandoned', 'superseded'] as const;
export const AttemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);
export type AttemptOutcome = z.infer<typeof AttemptOutcomeSchema>;

export const MessageRoleSchema = z.enum(['user', 'agent', 'system']);
/** `prompt`: the attempt's initial prompt; `follow_up`: a later user message; `reply`: the agent's answer; `review_comment`: from the review loop. */
export const MessageKindSchema = z.enum(['prompt', 'follow_up', 'reply', 'review_comment', 'note']);
export const MessageTextSchema = z.string().min(1, 'must not be empty').max(200_000, 'must be at most 200000 characters');

/** Why a task's status changed: the cause words a timeline and a history show. */
export const STATUS_CAUSES = [
  'dependencies_met',
  'dependencies_pending',
  'attempt_started',
  'review_requested',
  'changes_requested',
  'attempt_merged',
  'attempt_ended',
  'marked_done',
  'marked_failed',
  'cancelled',
  'reopened',
  'rolled_up',
] as const;
export const StatusCauseSchema = z.enum(STATUS_CAUSES);
export type StatusCause = z.infer<typeof StatusCauseSchema>;

export const ReasonSchema = z.string().trim().max(2_000, 'must be at most 2000 characters');
