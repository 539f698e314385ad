import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema, NameSchema, TextSchema } from '../values';
import {
  AcceptanceCriteriaSchema,
  AttemptOutcomeSchema,
  DependencyConditionSchema,
  ExecutionModeSchema,
  LabelsSchema,
  PrioritySchema,
  ReasonSchema,
} from '../task/task.values';

/*
 * Commands on the task graph. They are about tasks, so they read `task.*`, but every
 * one carries `projectId`: the project's aggregate decides them (one consistency
 * boundary for the tree, the DAG, statuses and attempts).
 */

const ref = { projectId: IdSchema, taskId: IdSchema };

export const CreateTask = defineCommand({
  type: 'task.create',
  service: 'tasks',
  schema: z.strictObject({
    ...ref,
    parentId: IdSchema.nullable().default(null),
    title: NameSchema,
    description: TextSchema.default(''),
    acceptanceCriteria: AcceptanceCriteriaSchema.default([]),
    priority: PrioritySchema.default(2),
    labels: LabelsSchema.default([]),
    executionMode: ExecutionModeSchema.default('interactive'),
    dependsOn: z
      .array(z.strictObject({ taskId: IdSchema, condition: DependencyConditionSchema.default('success') }))
      .max(100, 'at most 100 dependencies')
      .default([]),
  }),
});

export const EditTask = defineCommand({
  type: 'task.edit',
  service: 'tasks',
  schema: z
    .strictObject({
      ...ref,
      title: NameSchema.optional(),
      description: TextSchema.optional(),
      acceptanceCriteria: AcceptanceCriteriaSchema.optional(),
      priority: PrioritySchema.optional(),
      labels: LabelsSchema.optional(),
      executionMode: ExecutionModeSchema.optional(),
    })
    .refine(
      (d) => Object.keys(d).some((k) => k !== 'projectId' && k !== 'taskId'),
      'name at least one of title, description, acceptanceCriteria, priority, labels, executionMode',
    ),
});

/** Moves the task with its whole subtree; `parentId: null` makes it a root. */
export const MoveTask = defineCommand({
  type: 'task.move',
  service: 'tasks',
  schema: z.strictObject({ ...ref, parentId: IdSchema.nullable() }),
});

export const AddTaskDependency = defineCommand({
  type: 'task.add_dependency',
  service: 'tasks',
  schema: z.strictObject({ ...ref, dependsOnTaskId: IdSchema, condition: DependencyConditionSchema.default('success') }),
});

export const RemoveTaskDependency = defineCommand({
  type: 'task.remove_dependency',
  service: 'tasks',
  schema: z.strictObject({ ...ref, dependsOnTaskId: IdSchema }),
});

/** Marks a task done without a merged attempt (work done elsewhere). */
export const CompleteTask = defineCommand({
  type: 'task.complete',
  service: 'tasks',
  schema: z.strictObject({ ...ref, reason: ReasonSchema.optional() }),
});

export const FailTask = defineCommand({
  type: 'task.fail',
  service: 'tasks',
  schema: z.strictObject({ ...ref, reason: ReasonSchema.min(1, 'say why the task failed') }),
});

/** On a parent: cancels every unfinished task of its subtree. */
export const CancelTask = defineCommand({
  type: 'task.cancel',
  service: 'tasks',
  schema: z.strictObject({ ...ref, reason: ReasonSchema.optional() }),
});

/** A done, failed or cancelled task goes back to waiting on its dependencies (on a parent: its cancelled subtree). */
export const ReopenTask = defineCommand({
  type: 'task.reopen',
  service: 'tasks',
  schema: z.strictObject({ ...ref, reason: ReasonSchema.optional() }),
});

/** Removes the task and its subtree; refused while another task depends on one of them or an attempt is active. */
export const RemoveTask = defineCommand({
  type: 'task.remove',
  service: 'tasks',
  schema: z.strictObject(ref),
});

export const StartAttempt = defineCommand({
  type: 'task.start_attempt',
  service: 'tasks',
  schema: z.strictObject({
    ...ref,
    attemptId: IdSchema,
    /** Default: the project's default branch. */
    baseBranch: BranchSchema.optional(),
    promptVersionId: IdSchema.nullable().default(null),
    sessionTemplateId: IdSchema.nullable().default(null),
    /** Finish the active attempt as `superseded` instead of refusing with 409. */
    supersede: z.boolean().default(false),
    /** Start although dependencies have not met their conditions (an operator's override). */
    ignoreDependencies: z.boolean().default(false),
  }),
});

export const RecordAttemptWorkspace = defineCommand({
  type: 'task.record_attempt_workspace',
  service: 'tasks',
  schema: z.strictObject({
    ...ref,
    attemptId: IdSchema,
    baseCommit: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a hex commit id'),
    worktreePath: z.string().min(1).max(4_000),
    runnerId: IdSchema.nullable().default(null),
  }),
});

export const RequestAttemptReview = defineCommand({
  type: 'task.request_review',
  service: 'tasks',
  schema: z.strictObject({ ...ref, attemptId: IdSchema, summary: ReasonSchema.optional() }),
});

export const RequestAttemptChanges = defineCommand({
  type: 'task.request_changes',
  service: 'tasks',
  schema: z.strictObject({ ...ref, attemptId: IdSchema, comment: ReasonSchema.optional() }),
});

export const FinishAttempt = defineCommand({
  type: 'task.finish_attempt',
  service: 'tasks',
  schema: z.strictObject({ ...ref, attemptId: IdSchema, outcome: AttemptOutcomeSchema, reason: ReasonSchema.optional() }),
});

export const taskGraphCommands = [
  CreateTask,
  EditTask,
  MoveTask,
  AddTaskDependency,
  RemoveTaskDependency,
  CompleteTask,
  FailTask,
  CancelTask,
  ReopenTask,
  RemoveTask,
  StartAttempt,
  RecordAttemptWorkspace,
  RequestAttemptReview,
  RequestAttemptChanges,
  FinishAttempt,
] as const;
