import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { refineSpawnRequest, spawnRequestShape } from './spawn-request';
import {
  FollowUpKindSchema,
  OutputPatternKindSchema,
  BudgetSchema,
  FinalSessionStatusSchema,
  InputTextSchema,
  MessageSchema,
  ReasonTextSchema,
  SessionIdSchema,
  ShortIdSchema,
} from './session.values';

/*
 * Commands on one session (subject `session.<sessionId>`). Who sends them:
 * people and agents through the gateway (spawn, stop, report…), the runner that hosts
 * the session (record_*), and the sessions service's own timers and scheduler
 * (place, check_*, mark_lost, resume_after_quota) — whose clock is the command's `issuedAt`.
 */

const ref = { sessionId: SessionIdSchema };
const runnerRef = { sessionId: SessionIdSchema, runnerId: IdSchema };
/**
 * The placement epoch a runner's report is about (RunnerStart.epoch): a report under an older
 * epoch than the session's is refused (fencing, docs/decisions/0026). Absent: an older runner.
 */
const epochRef = { epoch: z.number().int().min(0).optional() };

/** A session outside any attempt: a plain command, a service, an orchestrator, a worker. */
export const SpawnSession = defineCommand({
  type: 'session.spawn',
  service: 'sessions',
  schema: z.strictObject(spawnRequestShape).superRefine(refineSpawnRequest),
});

/** Sent only by the seat's reactor after `session.attempt_seat_claimed` (a system actor). */
export const OpenSessionInAttempt = defineCommand({
  type: 'session.open_in_attempt',
  service: 'sessions',
  schema: z.strictObject({ ...spawnRequestShape, attemptId: IdSchema }).superRefine(refineSpawnRequest),
});

/** The scheduler's decision. */
export const PlaceSession = defineCommand({ type: 'session.place', service: 'sessions', schema: z.strictObject(runnerRef) });

export const RecordSessionSpawned = defineCommand({
  type: 'session.record_spawned',
  service: 'sessions',
  schema: z.strictObject({ ...runnerRef, ...epochRef, pid: z.number().int().positive().nullable().default(null) }),
});

/** `retryable`: the runner refused for a passing reason (full, draining); the session waits for another placement. */
export const RecordSessionSpawnFailed = defineCommand({
  type: 'session.record_spawn_failed',
  service: 'sessions',
  schema: z.strictObject({ ...runnerRef, ...epochRef, error: ReasonTextSchema.min(1), retryable: z.boolean().default(false) }),
});

/** The agent (or the runner on its behalf) says it is up. */
export const RegisterSession = defineCommand({
  type: 'session.register',
  service: 'sessions',
  schema: z.strictObject({
    ...ref,
    agent: z.string().max(200).nullable().default(null),
    conversationId: z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only').nullable().default(null),
  }),
});

export const CheckSessionRegistration = defineCommand({ type: 'session.check_registration', service: 'sessions', schema: z.strictObject(ref) });

/** Agent hooks and `baton report status`: the most trusted status signal. */
export const ReportSessionStatus = defineCommand({
  type: 'session.report_status',
  service: 'sessions',
  schema: z.strictObject({ ...ref, status: z.enum(['working', 'idle', 'needs_input', 'completed', 'failed']), message: MessageSchema.default('') }),
});

export const REPORT_KINDS = ['milestone', 'progress', 'task_started', 'task_completed', 'task_failed', 'task_skipped', 'task_blocked', 'needs_input', 'error'] as const;
/** `baton report <kind>`: a timeline entry from the agent (task_* ones move its task items). */
export const ReportSession = defineCommand({
  type: 'session.report',
  service: 'sessions',
  schema: z.strictObject({
    ...ref,
    kind: z.enum(REPORT_KINDS),
    message: MessageSchema.default(''),
    taskId: IdSchema.nullable().default(null),
    progress: z.number().min(0).max(1).nullable().default(null),
  }),
});

/** The runner matched one of the template's patterns in the output (or, for a real agent, a dialog its adapter knows it cannot pass). */
export const RecordOutputMatch = defineCommand({
  type: 'session.record_output_match',
  service: 'sessions',
  schema: z.strictObject({
    ...runnerRef,
    ...epochRef,
    pattern: OutputPatternKindSchema,
    /** The parser's name when `pattern` is `parser`. */
    parser: z.string().max(64).nullable().default(null),
    /** The matched line (trimmed by the runner). */
    text: z.string().max(4_000),
    groups: z.record(z.string().max(64), z.string().max(1_000)).default({}),
  }),
});

export const RecordSessionExit = defineCommand({
  type: 'session.record_exit',
  service: 'sessions',
  schema: z.strictObject({ ...runnerRef, ...epochRef, exitCode: z.number().int().nullable(), signal: z.string().max(32).nullable().default(null) }),
});

/**
 * The liveness watcher: the runner stopped answering. The session is held `lost` for `holdMs`
 * (its runner may come back and reclaim it); sent again once the hold is over, it restarts
 * elsewhere per its policy. `holdMs` 0: at once (a runner that left for good).
 */
export const MarkSessionLost = defineCommand({
  type: 'session.mark_lost',
  service: 'sessions',
  schema: z.strictObject({ ...runnerRef, reason: ReasonTextSchema.default(''), holdMs: z.number().int().min(0).max(86_400_000).default(0) }),
});

/** The liveness watcher: the runner of a `lost` session answers again and still runs it under its placement's epoch. */
export const ReclaimSession = defineCommand({
  type: 'session.reclaim',
  service: 'sessions',
  schema: z.strictObject({ ...runnerRef, ...epochRef, pid: z.number().int().positive().nullable().default(null) }),
});

/** The watchdog's tick: `lastOutputAt` comes from the runner's heartbeat. */
export const CheckSessionStall = defineCommand({
  type: 'session.check_stall',
  service: 'sessions',
  schema: z.strictObject({ ...ref, lastOutputAt: z.iso.datetime().nullable().default(null) }),
});

export const ResumeAfterQuota = defineCommand({ type: 'session.resume_after_quota', service: 'sessions', schema: z.strictObject(ref) });

export const StopSession = defineCommand({
  type: 'session.stop',
  service: 'sessions',
  schema: z.strictObject({ ...ref, reason: ReasonTextSchema.default(''), cascade: z.boolean().default(true) }),
});

/** A follow-up prompt, text from another session, or an interrupt (Ctrl-C). */
export const SendSessionInput = defineCommand({
  type: 'session.send_input',
  service: 'sessions',
  schema: z.strictObject({
    ...ref,
    text: InputTextSchema,
    kind: z.enum(['prompt', 'follow_up', 'text', 'interrupt']).default('text'),
    fromSessionId: IdSchema.nullable().default(null),
  }),
});

/** An operator answers an agent's open permission prompt (needs_input from a real agent's adapter). */
export const AnswerSessionPermission = defineCommand({
  type: 'session.answer_permission',
  service: 'sessions',
  schema: z.strictObject({ ...ref, decision: z.enum(['approve', 'deny']) }),
});

export const QueueNext = defineCommand({ type: 'session.queue_next', service: 'sessions', schema: z.strictObject(ref) });
/** `taskId` null: the item in progress. */
export const QueueComplete = defineCommand({
  type: 'session.queue_complete',
  service: 'sessions',
  schema: z.strictObject({ ...ref, taskId: IdSchema.nullable().default(null), message: MessageSchema.default('') }),
});
export const QueueFail = defineCommand({
  type: 'session.queue_fail',
  service: 'sessions',
  schema: z.strictObject({ ...ref, taskId: IdSchema.nullable().default(null), reason: ReasonTextSchema.min(1, 'say why it failed') }),
});
export const QueueSkip = defineCommand({
  type: 'session.queue_skip',
  service: 'sessions',
  schema: z.strictObject({ ...ref, taskId: IdSchema.nullable().default(null), reason: ReasonTextSchema.default('') }),
});

const count = z.number().int().min(0).max(1e12).default(0);
/** Usage since the last report (a delta), as `baton report usage` and the Claude Code hooks send it. */
export const ReportSessionUsage = defineCommand({
  type: 'session.report_usage',
  service: 'sessions',
  schema: z.strictObject({
    ...ref,
    inputTokens: count,
    outputTokens: count,
    cacheReadTokens: count,
    cacheWriteTokens: count,
    costUsd: z.number().min(0).max(1e6).default(0),
    model: z.string().max(200).nullable().default(null),
  }),
});

/** The budget reactor found a task or project budget passed. */
export const StopSessionOverBudget = defineCommand({
  type: 'session.stop_over_budget',
  service: 'sessions',
  schema: z.strictObject({
    ...ref,
    scope: z.enum(['session', 'task', 'project']),
    scopeId: IdSchema,
    limit: BudgetSchema,
    spent: z.strictObject({ costUsd: z.number().min(0), tokens: z.number().int().min(0) }),
  }),
});

export const RecordWorkerSpawned = defineCommand({
  type: 'session.record_worker_spawned',
  service: 'sessions',
  schema: z.strictObject({ ...ref, workerId: IdSchema, templateId: IdSchema, taskIds: z.array(IdSchema).max(500) }),
});

export const RecordWorkerFinished = defineCommand({
  type: 'session.record_worker_finished',
  service: 'sessions',
  schema: z.strictObject({ ...ref, workerId: IdSchema, status: FinalSessionStatusSchema }),
});

/* ---- the attempt's seat (subject `session.attempt-<attemptId>`) ---- */

const { taskIds: _taskIds, ...inAttemptShape } = spawnRequestShape;
const { prompt: _prompt, ...followUpSessionShape } = inAttemptShape;

/** A session for a task, in its active attempt; 409 while another session of the attempt runs. */
export const SpawnSessionInAttempt = defineCommand({
  type: 'session.spawn_in_attempt',
  service: 'sessions',
  schema: z
    .strictObject({ ...inAttemptShape, attemptId: ShortIdSchema, taskId: IdSchema })
    .superRefine((r, ctx) => refineSpawnRequest({ ...r, taskIds: [r.taskId] }, ctx)),
});

/**
 * Into the attempt's running session, or — when none runs — a new session that starts with it:
 * `newSession` names its template; `likeLast` starts one like the attempt's last session (same
 * template, permission mode, labels and budget), so the agent resumes its conversation.
 */
export const FollowUpInAttempt = defineCommand({
  type: 'session.follow_up',
  service: 'sessions',
  schema: z.strictObject({
    attemptId: ShortIdSchema,
    taskId: IdSchema,
    text: InputTextSchema,
    kind: FollowUpKindSchema.default('follow_up'),
    /** The session to start when none runs (its prompt is `text`). */
    newSession: z.strictObject(followUpSessionShape).nullable().default(null),
    /** Without `newSession`: the id of a session like the last one, started when none runs; null (and no `newSession`): refuse with 409 instead. */
    likeLast: z.strictObject({ sessionId: SessionIdSchema }).nullable().default(null),
  }),
});

export const ReleaseAttemptSeat = defineCommand({
  type: 'session.release_attempt_seat',
  service: 'sessions',
  schema: z.strictObject({ attemptId: ShortIdSchema, sessionId: IdSchema, status: FinalSessionStatusSchema.nullable().default(null), reason: ReasonTextSchema.default('') }),
});

export const CloseAttemptSeat = defineCommand({
  type: 'session.close_attempt_seat',
  service: 'sessions',
  schema: z.strictObject({ attemptId: ShortIdSchema, reason: ReasonTextSchema.default('') }),
});

/* ---- the project's stack (subject `session.project-<projectId>`) ---- */

/** Steps in startup order (the project's startupSequence, then autoStart templates); each waits for the one before to be ready. */
export const OpenProject = defineCommand({
  type: 'session.open_project',
  service: 'sessions',
  schema: z.strictObject({
    projectId: ShortIdSchema,
    steps: z.array(z.strictObject(spawnRequestShape).superRefine(refineSpawnRequest)).min(1, 'nothing to start').max(50),
  }),
});

/** A step's session became ready, or ended. */
export const AdvanceProject = defineCommand({
  type: 'session.advance_project',
  service: 'sessions',
  schema: z.strictObject({
    projectId: ShortIdSchema,
    sessionId: IdSchema,
    outcome: z.enum(['ready', 'ended']),
    status: FinalSessionStatusSchema.nullable().default(null),
  }),
});

/** Stops the started sessions one at a time: in `order` (template ids, the shutdownSequence) first, then the rest in reverse startup order. */
export const CloseProject = defineCommand({
  type: 'session.close_project',
  service: 'sessions',
  schema: z.strictObject({ projectId: ShortIdSchema, order: z.array(IdSchema).max(50).default([]) }),
});

export const sessionCommands = [
  SpawnSession,
  OpenSessionInAttempt,
  PlaceSession,
  RecordSessionSpawned,
  RecordSessionSpawnFailed,
  RegisterSession,
  CheckSessionRegistration,
  ReportSessionStatus,
  ReportSession,
  RecordOutputMatch,
  RecordSessionExit,
  MarkSessionLost,
  ReclaimSession,
  CheckSessionStall,
  ResumeAfterQuota,
  StopSession,
  SendSessionInput,
  AnswerSessionPermission,
  QueueNext,
  QueueComplete,
  QueueFail,
  QueueSkip,
  ReportSessionUsage,
  StopSessionOverBudget,
  RecordWorkerSpawned,
  RecordWorkerFinished,
] as const;

export const attemptSeatCommands = [SpawnSessionInAttempt, FollowUpInAttempt, ReleaseAttemptSeat, CloseAttemptSeat] as const;
export const projectStackCommands = [OpenProject, AdvanceProject, CloseProject] as const;
