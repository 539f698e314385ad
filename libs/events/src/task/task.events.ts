import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { AttemptOutcomeSchema, MessageKindSchema, MessageRoleSchema, MessageTextSchema } from './task.values';

/*
 * The task's own subject (`task.<id>`) carries its attempts' conversation: the high-volume
 * part (prompts, follow-ups, agent replies). Messages accumulate per attempt across all
 * of its sessions. The attempts' lifecycle is decided on the project's subject with the
 * task graph (see project/task-graph.events.ts).
 */

export const AttemptMessageAdded = defineEvent({
  type: 'task.attempt_message_added',
  aggregate: 'task',
  schema: z.object({
    attemptId: IdSchema,
    role: MessageRoleSchema,
    kind: MessageKindSchema,
    text: MessageTextSchema,
    /** The session that produced or received it; null when none ran (a prompt written before the first session). */
    sessionId: IdSchema.nullable(),
  }),
});

/** The attempt finished: its conversation takes no more messages. */
export const AttemptConversationClosed = defineEvent({
  type: 'task.attempt_conversation_closed',
  aggregate: 'task',
  schema: z.object({ attemptId: IdSchema, outcome: AttemptOutcomeSchema }),
});

export const taskEvents = [AttemptMessageAdded, AttemptConversationClosed] as const;

export type TaskEvent = EventOf<typeof AttemptMessageAdded> | EventOf<typeof AttemptConversationClosed>;
