import { z } from 'zod';
import { AttemptOutcomeSchema, IdSchema, MessageKindSchema, MessageRoleSchema, MessageTextSchema, ReasonSchema, StartAttempt } from '@baton/events';
import { Limit, MinSeq, Offset, pageOf } from './common';

/** POST /api/tasks/:id/attempts — `task.start_attempt`; with a prompt version, its rendering opens the conversation. */
export const StartAttemptRequest = StartAttempt.schema
  .omit({ projectId: true, taskId: true, attemptId: true })
  .extend({
    promptValues: z
      .record(z.string(), z.string().max(20_000))
      .default({})
      .describe("Values of the prompt version's declared variables."),
  });
export type StartAttemptRequest = z.input<typeof StartAttemptRequest>;

export const AddMessageRequest = z.strictObject({
  role: MessageRoleSchema.default('user'),
  kind: MessageKindSchema.default('follow_up'),
  text: MessageTextSchema,
  sessionId: IdSchema.nullable().default(null),
});
export const FinishAttemptRequest = z.strictObject({ outcome: AttemptOutcomeSchema, reason: ReasonSchema.optional() });
export const RequestReviewRequest = z.strictObject({ summary: ReasonSchema.optional() }).optional();
/** The comment is also sent to the agent, as a `review_comment` message. */
export const RequestChangesRequest = z.strictObject({ comment: ReasonSchema.optional() }).optional();

export const ListAttemptsQuery = z.strictObject({
  status: z.enum(['active', 'in_review', 'merged', 'abandoned', 'superseded']).optional(),
  limit: Limit(500, 100),
  offset: Offset,
  minSeq: MinSeq,
});
export const ListMessagesQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).default(0).describe('Messages after this one (its `seq`): the cursor `nextAfterSeq` gives.'),
  limit: Limit(1_000, 200),
  minSeq: MinSeq,
});

export const AttemptView = z.strictObject({
  id: z.string(),
  taskId: z.string(),
  projectId: z.string(),
  number: z.number().int(),
  branch: z.string(),
  baseBranch: z.string(),
  baseCommit: z.string().nullable(),
  worktreePath: z.string().nullable(),
  runnerId: z.string().nullable(),
  promptVersionId: z.string().nullable(),
  sessionTemplateId: z.string().nullable(),
  status: z.enum(['active', 'in_review', 'merged', 'abandoned', 'superseded']),
  finishReason: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  messageCount: z.number().int(),
  sessionCount: z.number().int(),
  lastMessageAt: z.string().nullable(),
});
export type AttemptView = z.output<typeof AttemptView>;
export const AttemptPage = pageOf(AttemptView);

export const AttemptMessage = z.strictObject({
  id: z.string(),
  taskId: z.string(),
  attemptId: z.string(),
  role: MessageRoleSchema,
  kind: MessageKindSchema,
  text: z.string(),
  sessionId: z.string().nullable(),
  at: z.string(),
  seq: z.number().int(),
});
export type AttemptMessage = z.output<typeof AttemptMessage>;
export const MessagePage = z.strictObject({ items: z.array(AttemptMessage), nextAfterSeq: z.number().int() });
