import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { BranchSchema } from '../values';
import { PermissionModeSchema } from '../session-template/session-template.values';
import {
  AcceptanceCriteriaSchema,
  AttemptOutcomeSchema,
  DependencyConditionSchema,
  DependencySchema,
  ExecutionModeSchema,
  LabelsSchema,
  PrioritySchema,
  ReasonSchema,
  StatusCauseSchema,
  TaskDetailsSchema,
  TaskStatusSchema,
} from '../task/task.values';

/*
 * The task graph lives on the project's subject (`project.<id>`): which tasks exist,
 * their tree, their dependency DAG, every task's status and its attempts' lifecycle.
 * One aggregate, so readiness, blocking, roll-up and "one active attempt" are decided
 * together (docs/decisions/0003-task-graph-aggregate.md).
 */

/** A task enters the graph as `todo`; the same decision then says whether it is ready or blocked. */
export const TaskAdded = defineEvent({
  type: 'project.task_added',
  aggregate: 'project',
  schema: TaskDetailsSchema.extend({
    taskId: IdSchema,
    /** Per project, from 1, never reused: "#12" for people, and the export's stable order. */
    number: z.number().int().positive(),
    parentId: IdSchema.nullable(),
    dependsOn: z.array(DependencySchema).max(100),
  }),
});

/** Only the fields that changed are present. */
export const TaskDetailsChanged = defineEvent({
  type: 'project.task_details_changed',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    title: TaskDetailsSchema.shape.title.optional(),
    description: TaskDetailsSchema.shape.description.optional(),
    acceptanceCriteria: AcceptanceCriteriaSchema.optional(),
    priority: PrioritySchema.optional(),
    labels: LabelsSchema.optional(),
    executionMode: ExecutionModeSchema.optional(),
  }),
});

export const TaskMoved = defineEvent({
  type: 'project.task_moved',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, fromParentId: IdSchema.nullable(), toParentId: IdSchema.nullable() }),
});

export const TaskDependencyAdded = defineEvent({
  type: 'project.task_dependency_added',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, dependsOnTaskId: IdSchema, condition: DependencyConditionSchema }),
});

export const TaskDependencyRemoved = defineEvent({
  type: 'project.task_dependency_removed',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, dependsOnTaskId: IdSchema }),
});

/** Every status change except into `blocked`, which is `project.task_blocked` (the timeline's word). */
export const TaskStatusChanged = defineEvent({
  type: 'project.task_status_changed',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    from: TaskStatusSchema,
    to: TaskStatusSchema.exclude(['blocked']),
    cause: StatusCauseSchema,
    attemptId: IdSchema.optional(),
    reason: ReasonSchema.optional(),
  }),
});

export const BlockingDependencySchema = z.object({
  taskId: IdSchema,
  condition: DependencyConditionSchema,
  status: TaskStatusSchema,
  /** The ancestor whose dependency this is (dependencies of a parent hold for its whole subtree); null: the task's own. */
  via: IdSchema.nullable(),
});
export type BlockingDependency = z.infer<typeof BlockingDependencySchema>;

/** A dependency can no longer meet its condition (it failed, was cancelled, or succeeded where failure was required). */
export const TaskBlocked = defineEvent({
  type: 'project.task_blocked',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, from: TaskStatusSchema, blockedBy: z.array(BlockingDependencySchema).min(1) }),
});

/** Emitted children first; the task's own dependency edges were removed by earlier events of the same decision. */
export const TaskRemoved = defineEvent({
  type: 'project.task_removed',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, parentId: IdSchema.nullable() }),
});

export const TaskAttemptStarted = defineEvent({
  type: 'project.task_attempt_started',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    attemptId: IdSchema,
    /** 1 for the task's first attempt. */
    number: z.number().int().positive(),
    branch: BranchSchema,
    baseBranch: BranchSchema,
    promptVersionId: IdSchema.nullable(),
    sessionTemplateId: IdSchema.nullable(),
    /** The attempt's agent permission mode (the autopilot works unattended: `auto`); absent: the template's. */
    permissionMode: PermissionModeSchema.nullable().optional(),
  }),
});

/** The runner made the attempt's worktree: where it is and the commit it branched from. */
export const TaskAttemptWorkspacePrepared = defineEvent({
  type: 'project.task_attempt_workspace_prepared',
  aggregate: 'project',
  schema: z.object({
    taskId: IdSchema,
    attemptId: IdSchema,
    baseCommit: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a hex commit id'),
    worktreePath: z.string().min(1).max(4_000),
    runnerId: IdSchema.nullable(),
  }),
});

export const TaskAttemptReviewRequested = defineEvent({
  type: 'project.task_attempt_review_requested',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, summary: ReasonSchema.optional() }),
});

export const TaskAttemptChangesRequested = defineEvent({
  type: 'project.task_attempt_changes_requested',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, comment: ReasonSchema.optional() }),
});

export const TaskAttemptFinished = defineEvent({
  type: 'project.task_attempt_finished',
  aggregate: 'project',
  schema: z.object({ taskId: IdSchema, attemptId: IdSchema, outcome: AttemptOutcomeSchema, reason: ReasonSchema.optional() }),
});

export const taskGraphEvents = [
  TaskAdded,
  TaskDetailsChanged,
  TaskMoved,
  TaskDependencyAdded,
  TaskDependencyRemoved,
  TaskStatusChanged,
  TaskBlocked,
  TaskRemoved,
  TaskAttemptStarted,
  TaskAttemptWorkspacePrepared,
  TaskAttemptReviewRequested,
  TaskAttemptChangesRequested,
  TaskAttemptFinished,
] as const;

export type TaskGraphEvent =
  | EventOf<typeof TaskAdded>
  | EventOf<typeof TaskDetailsChanged>
  | EventOf<typeof TaskMoved>
  | EventOf<typeof TaskDependencyAdded>
  | EventOf<typeof TaskDependencyRemoved>
  | EventOf<typeof TaskStatusChanged>
  | EventOf<typeof TaskBlocked>
  | EventOf<typeof TaskRemoved>
  | EventOf<typeof TaskAttemptStarted>
  | EventOf<typeof TaskAttemptWorkspacePrepared>
  | EventOf<typeof TaskAttemptReviewRequested>
  | EventOf<typeof TaskAttemptChangesRequested>
  | EventOf<typeof TaskAttemptFinished>;

export const TASK_GRAPH_EVENT_TYPES: ReadonlySet<string> = new Set(taskGraphEvents.map((e) => e.type));
export function isTaskGraphEvent(e: { type: string }): e is TaskGraphEvent {
  return TASK_GRAPH_EVENT_TYPES.has(e.type);
}
