import { z } from 'zod';
import { BranchSchema } from '../values';
import { IdSchema } from '../envelope';

export const SESSION_STATUSES = [
  'pending',
  'spawning',
  'idle',
  'working',
  'needs_input',
  'stalled',
  'waiting_quota',
  'lost',
  'completed',
  'failed',
  'stopped',
  'succeeded',
  'exited',
] as const;
export const SessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/** A session in one of these is over: nothing changes it any more. */
export const FINAL_SESSION_STATUSES = ['completed', 'failed', 'stopped', 'succeeded', 'exited'] as const;
export const FinalSessionStatusSchema = z.enum(FINAL_SESSION_STATUSES);
export type FinalSessionStatus = z.infer<typeof FinalSessionStatusSchema>;
const FINAL: ReadonlySet<string> = new Set(FINAL_SESSION_STATUSES);
export function isFinalStatus(s: SessionStatus): s is FinalSessionStatus {
  return FINAL.has(s);
}

/** The timeline vocabulary of DESIGN §1 (names kept from the reference designs), plus `stalled` and `budget_exceeded`. */
export const TIMELINE_KINDS = [
  'session_started',
  'session_stopped',
  'milestone',
  'task_started',
  'task_completed',
  'task_failed',
  'task_skipped',
  'task_blocked',
  'progress',
  'needs_input',
  'error',
  'output_matched',
  'worker_spawned',
  'worker_finished',
  'restarted',
  'stalled',
  'budget_exceeded',
] as const;
export const TimelineKindSchema = z.enum(TIMELINE_KINDS);
export type TimelineKind = z.infer<typeof TimelineKindSchema>;

/** What the runner matched in a session's output: a template pattern, a parser, or a real agent's blocking dialog. */
export const OUTPUT_PATTERN_KINDS = ['ready', 'success', 'error', 'quota', 'parser', 'dialog'] as const;
export const OutputPatternKindSchema = z.enum(OUTPUT_PATTERN_KINDS);
export type OutputPatternKind = z.infer<typeof OutputPatternKindSchema>;

export const SESSION_ROLES = ['worker', 'orchestrator', 'planner', 'service'] as const;
export const SessionRoleSchema = z.enum(SESSION_ROLES);
export type SessionRole = z.infer<typeof SessionRoleSchema>;

export const SessionStrategySchema = z.enum(['simple', 'queue']);
export type SessionStrategy = z.infer<typeof SessionStrategySchema>;

export const QUEUE_ITEM_STATUSES = ['queued', 'processing', 'completed', 'failed', 'skipped'] as const;
export const QueueItemStatusSchema = z.enum(QUEUE_ITEM_STATUSES);
export type QueueItemStatus = z.infer<typeof QueueItemStatusSchema>;

/**
 * Where a status signal came from, in the order of trust (DESIGN §6): the agent itself,
 * then the process, then output heuristics. The rest are decisions of Baton or people.
 */
export const SIGNAL_SOURCES = ['agent', 'process', 'output', 'watchdog', 'scheduler', 'user', 'system'] as const;
export const SignalSourceSchema = z.enum(SIGNAL_SOURCES);
export type SignalSource = z.infer<typeof SignalSourceSchema>;

/**
 * Subjects of the session service's coordination aggregates share the `session` type:
 * `session.attempt-<attemptId>` (one running session per attempt) and
 * `session.project-<projectId>` (startup / shutdown sequence). Session ids may not
 * start with these prefixes.
 */
export const ATTEMPT_SEAT_PREFIX = 'attempt-';
export const PROJECT_STACK_PREFIX = 'project-';
export const attemptSeatId = (attemptId: string) => `${ATTEMPT_SEAT_PREFIX}${attemptId}`;
export const projectStackId = (projectId: string) => `${PROJECT_STACK_PREFIX}${projectId}`;
/** Ids that fit after a prefix in one subject token (64 characters). */
export const ShortIdSchema = IdSchema.max(55, 'must be at most 55 characters');

export const SessionIdSchema = IdSchema.refine(
  (id) => !id.startsWith(ATTEMPT_SEAT_PREFIX) && !id.startsWith(PROJECT_STACK_PREFIX),
  `must not start with "${ATTEMPT_SEAT_PREFIX}" or "${PROJECT_STACK_PREFIX}"`,
);

const LabelKey = z.string().regex(/^[A-Za-z0-9_./-]{1,64}$/, 'must be 1-64 letters, digits, "_", ".", "/" or "-"');
/** Runner labels, and selectors over them: a runner matches when it has every key with the same value. */
export const LabelsMapSchema = z
  .record(LabelKey, z.string().max(256))
  .refine((l) => Object.keys(l).length <= 50, 'at most 50 labels');
export type LabelsMap = z.infer<typeof LabelsMapSchema>;

const Tokens = z.number().int().min(0).max(1e12);
const Money = z.number().min(0).max(1e7);
export const UsageSchema = z.object({
  inputTokens: Tokens,
  outputTokens: Tokens,
  cacheReadTokens: Tokens,
  cacheWriteTokens: Tokens,
  costUsd: Money,
});
export type Usage = z.infer<typeof UsageSchema>;
export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
export const totalTokens = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/** A spending limit; null fields are unlimited. */
export const BudgetSchema = z.strictObject({ maxCostUsd: Money.nullable(), maxTokens: Tokens.nullable() });
export type Budget = z.infer<typeof BudgetSchema>;

/** Why a session exists: decides which reactors care about its end. */
export const SessionOriginSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manual') }),
  z.object({ kind: z.literal('attempt') }),
  z.object({ kind: z.literal('follow_up') }),
  z.object({ kind: z.literal('worker') }),
  /** `baton task decompose`: a planner session for the task, `depth` levels still to decompose. */
  z.object({ kind: z.literal('planner'), taskId: IdSchema, depth: z.number().int().min(1).max(5) }),
  z.object({ kind: z.literal('startup'), projectId: IdSchema, step: z.number().int().min(0).max(49) }),
  /** The merge train's check of a batch (docs/decisions/0030): runs in a checkout of `commit`, the batch's result. */
  z.object({ kind: z.literal('merge_check'), target: BranchSchema, batchId: IdSchema, commit: z.string().regex(/^[0-9a-f]{7,64}$/) }),
]);
export type SessionOrigin = z.infer<typeof SessionOriginSchema>;

/** What a follow-up into an attempt is: a person's message, or a review's comment (already in the attempt's conversation). */
export const FollowUpKindSchema = z.enum(['follow_up', 'review_comment']);
export type FollowUpKind = z.infer<typeof FollowUpKindSchema>;

export const InputKindSchema = z.enum(['prompt', 'follow_up', 'text', 'interrupt', 'resume']);
export type InputKind = z.infer<typeof InputKindSchema>;
/** A message (not raw keystrokes): the runner types it, then Enter the way the agent's TUI takes it. */
export const isSubmittedInput = (kind: InputKind): boolean => kind === 'prompt' || kind === 'follow_up';
export const InputTextSchema = z.string().min(1, 'must not be empty').max(100_000, 'must be at most 100000 characters');

export const MessageSchema = z.string().max(10_000, 'must be at most 10000 characters');
export const ReasonTextSchema = z.string().max(2_000, 'must be at most 2000 characters');
