import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { AttemptOutcomeSchema, MessageKindSchema, MessageRoleSchema, MessageTextSchema } from './task.values';

/** Decided by the task's own aggregate (subject `task.<taskId>`). */
export const AddAttemptMessage = defineCommand({
  type: 'task.add_attempt_message',
  service: 'tasks',
  schema: z.strictObject({
    taskId: IdSchema,
    attemptId: IdSchema,
    role: MessageRoleSchema,
    kind: MessageKindSchema,
    text: MessageTextSchema,
    sessionId: IdSchema.nullable().default(null),
  }),
});

/** Sent by the reactor when the graph records `project.task_attempt_finished`. */
export const CloseAttemptConversation = defineCommand({
  type: 'task.close_attempt_conversation',
  service: 'tasks',
  schema: z.strictObject({ taskId: IdSchema, attemptId: IdSchema, outcome: AttemptOutcomeSchema }),
});

export const taskCommands = [AddAttemptMessage, CloseAttemptConversation] as const;
