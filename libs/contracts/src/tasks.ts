import { z } from 'zod';
import {
  AcceptanceCriteriaSchema,
  AddTaskDependency,
  CompleteTask,
  CreateTask,
  DependencyConditionSchema,
  ExecutionModeSchema,
  FailTask,
  IdSchema,
  LabelsSchema,
  NameSchema,
  PrioritySchema,
  TaskStatusSchema,
  TextSchema,
} from '@baton/events';
import { Limit, MinSeq, Offset, pageOf } from './common';

const taskRef = { projectId: true, taskId: true } as const;

/** POST /api/projects/:projectId/tasks — `task.create` without the ids (the server makes the task's). */
export const CreateTaskRequest = CreateTask.schema.omit(taskRef);
export type CreateTaskRequest = z.input<typeof CreateTaskRequest>;

/** PATCH /api/tasks/:id — `task.edit`; name at least one detail. */
export const EditTaskRequest = z
  .strictObject({
    title: NameSchema.optional(),
    description: TextSchema.optional(),
    acceptanceCriteria: AcceptanceCriteriaSchema.optional(),
    priority: PrioritySchema.optional(),
    labels: LabelsSchema.optional(),
    executionMode: ExecutionModeSchema.optional(),
  })
  .refine((d) => Object.values(d).some((v) => v !== undefined), 'name at least one of title, description, acceptanceCriteria, priority, labels, executionMode');

/** `parentId: null` makes it a root; the subtree moves with it. */
export const MoveTaskRequest = z.strictObject({ parentId: IdSchema.nullable() });

export const AddDependencyRequest = AddTaskDependency.schema.omit(taskRef);

/** complete | cancel | reopen: a reason is optional, and so is the body. */
export const TaskReasonRequest = CompleteTask.schema.omit(taskRef).optional();
export const FailTaskRequest = FailTask.schema.omit(taskRef);

export const ListTasksQuery = z.strictObject({
  status: TaskStatusSchema.optional(),
  parentId: z
    .union([z.literal('null'), IdSchema])
    .optional()
    .describe('Only the direct subtasks of this task; `null`: only top-level tasks.'),
  limit: Limit(1_000, 200),
  offset: Offset,
  minSeq: MinSeq,
});

export const BoardQuery = z.strictObject({ parentId: IdSchema.optional().describe('Only the subtree of this task.'), minSeq: MinSeq });
export const UnblocksQuery = z.strictObject({ as: z.enum(['done', 'failed']).default('done'), minSeq: MinSeq });
export const DependencyParams = z.strictObject({ id: IdSchema, dependsOnId: IdSchema });
export const ProjectTaskParams = z.strictObject({ projectId: IdSchema });

const Dependency = z.strictObject({ taskId: z.string(), condition: DependencyConditionSchema });
const BlockingDependency = z.strictObject({ taskId: z.string(), condition: DependencyConditionSchema, status: TaskStatusSchema, via: z.string().nullable() });

export const TaskView = z.strictObject({
  id: z.string(),
  projectId: z.string(),
  number: z.number().int().describe('1, 2, … within the project.'),
  parentId: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  acceptanceCriteria: z.array(z.string()),
  priority: z.number().int(),
  labels: z.array(z.string()),
  executionMode: ExecutionModeSchema,
  status: TaskStatusSchema,
  blockedBy: z.array(BlockingDependency).nullable().describe('Why it is blocked; null unless `status` is `blocked`.'),
  dependsOn: z.array(Dependency),
  dependants: z.array(z.string()),
  childCount: z.number().int(),
  activeAttemptId: z.string().nullable(),
  attemptCount: z.number().int(),
  sessionCount: z.number().int(),
  messageCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  doneAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TaskView = z.output<typeof TaskView>;
export const TaskPage = pageOf(TaskView);

export const TaskCard = TaskView.pick({
  id: true,
  number: true,
  title: true,
  priority: true,
  labels: true,
  executionMode: true,
  parentId: true,
  childCount: true,
  activeAttemptId: true,
  attemptCount: true,
  blockedBy: true,
  dependsOn: true,
  dependants: true,
  updatedAt: true,
});
export const TaskBoard = z.strictObject({ columns: z.array(z.strictObject({ status: TaskStatusSchema, tasks: z.array(TaskCard) })) });
export type TaskBoard = z.output<typeof TaskBoard>;

export const TaskUnblocks = z.strictObject({
  taskId: z.string(),
  as: z.enum(['done', 'failed']),
  tasks: z.array(z.strictObject({ id: z.string(), number: z.number().int(), title: z.string() })),
});
export type TaskUnblocks = z.output<typeof TaskUnblocks>;

