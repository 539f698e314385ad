import { z } from 'zod';
import {
  AnswerSessionPermission,
  IdSchema,
  InputKindSchema,
  InputTextSchema,
  LabelsMapSchema,
  MessageSchema,
  QueueComplete,
  QueueFail,
  QueueItemStatusSchema,
  QueueSkip,
  REPORT_KINDS,
  ReasonTextSchema,
  RegisterSession,
  ReportSessionStatus,
  ReportSessionUsage,
  SESSION_STATUSES,
  SessionOriginSchema,
  SessionRoleSchema,
  SessionStatusSchema,
  SessionStrategySchema,
  SignalSourceSchema,
  TIMELINE_KINDS,
  TimelineKindSchema,
  UsageSchema,
  spawnRequestShape,
  spawnRequestIssues,
} from '@baton/events';
import { CommandAccepted, Limit, MinSeq, Offset, pageOf } from './common';

/*
 * Sessions over REST (apps/gateway/src/sessions, agents): requests mirror the sessions
 * service's commands without the ids the URL or the server supplies; views are what its
 * queries answer (apps/sessions/src/read-models, replay, export).
 */

/** `a,b,c` in a query string, each one of `values` (400 naming the parameter otherwise). */
function csvOf<const T extends readonly [string, ...string[]]>(values: T, what: string, plural: string) {
  const known: ReadonlySet<string> = new Set(values);
  return z
    .string()
    .describe(`Comma-separated ${plural}: ${values.join(', ')}.`)
    .transform((text, ctx): T[number][] => {
      const parts = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
      const unknown = parts.find((p) => !known.has(p));
      if (!parts.length || unknown !== undefined) {
        ctx.addIssue({ code: 'custom', message: unknown === undefined ? `name at least one ${what}` : `unknown ${what} "${unknown}"; known: ${values.join(', ')}` });
        return z.NEVER;
      }
      return parts as T[number][];
    });
}

/** `true` | `false`; absent: no filter. */
const TriFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** An instant: any ISO 8601 date-time (with `Z` or an offset), normalized to UTC. */
export const Instant = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v).toISOString())
  .describe('An ISO 8601 date-time, e.g. 2026-01-01T10:00:00Z.');

const SeqParam = z.coerce.number().int().min(0);

/* ---------- spawning ---------- */

const { sessionId: _s, projectId: _p, template: _t, origin: _o, ...spawnFields } = spawnRequestShape;
const { taskIds: _ti, ...attemptSpawnFields } = spawnFields;

function refineSpawn(r: { taskIds: string[]; strategy: 'simple' | 'queue' }, ctx: z.RefinementCtx): void {
  const issue = spawnRequestIssues({ ...r, parentSessionId: null, sessionId: '', template: { spec: { kind: 'agent' } } });
  if (issue) ctx.addIssue({ code: 'custom', message: issue, path: ['taskIds'] });
}

/** POST /api/projects/:id/sessions — `session.spawn`: a session outside any attempt (a plain command, an orchestrator…). */
export const SpawnSessionRequest = z.strictObject(spawnFields).superRefine(refineSpawn);
export type SpawnSessionRequest = z.input<typeof SpawnSessionRequest>;

/** POST /api/attempts/:id/sessions — `session.spawn_in_attempt`: the attempt's task is the session's task. */
export const SpawnInAttemptRequest = z.strictObject(attemptSpawnFields);
export type SpawnInAttemptRequest = z.input<typeof SpawnInAttemptRequest>;

/** POST /api/sessions/:id/workers — a worker of the session (`role: worker`, `parentSessionId` = the session). */
export const SpawnWorkerRequest = z
  .strictObject({
    templateId: spawnFields.templateId,
    taskIds: spawnFields.taskIds,
    strategy: spawnFields.strategy,
    name: spawnFields.name,
    prompt: spawnFields.prompt,
    runnerLabels: spawnFields.runnerLabels,
    budget: spawnFields.budget,
  })
  .superRefine(refineSpawn);
export type SpawnWorkerRequest = z.input<typeof SpawnWorkerRequest>;

/* ---------- talking to sessions ---------- */

export const StopSessionRequest = z
  .strictObject({
    reason: ReasonTextSchema.default(''),
    cascade: z.boolean().default(true).describe('Stop its live workers too.'),
  })
  .optional();

/** Text for the session's terminal: a prompt, a follow-up, plain text, or an interrupt (Ctrl-C). */
export const AnswerPermissionRequest = AnswerSessionPermission.schema.omit({ sessionId: true });
export const SendInputRequest = z.strictObject({
  text: InputTextSchema,
  kind: InputKindSchema.exclude(['resume']).default('text'),
});

/** POST /api/attempts/:id/follow-up — into the attempt's running session, or a new one that starts with it. */
export const FollowUpRequest = z.strictObject({
  text: InputTextSchema,
  templateId: IdSchema.nullable()
    .default(null)
    .describe('When no session runs in the attempt: start one of this template with the text as its prompt. Null: answer 422 instead.'),
  name: spawnFields.name,
  role: spawnFields.role,
  runnerLabels: spawnFields.runnerLabels,
  budget: spawnFields.budget,
});

/** Where a follow-up went: `started` a new session of the attempt, or into the one that runs. */
export const FollowUpAccepted = CommandAccepted.extend({
  sessionId: z.string().nullable().describe('The session it went to (null: not known yet).'),
  started: z.boolean(),
});

/* ---------- what agents report (their own session) ---------- */

export const RegisterSessionRequest = RegisterSession.schema.omit({ sessionId: true }).optional();
export const ReportStatusRequest = ReportSessionStatus.schema.omit({ sessionId: true });
export const ReportTimelineRequest = z
  .strictObject({
    kind: z.enum(REPORT_KINDS),
    message: MessageSchema.default(''),
    taskId: IdSchema.nullable().default(null),
    progress: z.number().min(0).max(1).nullable().default(null).describe('0..1, for `progress` only.'),
  })
  .superRefine((r, ctx) => {
    if (r.progress !== null && r.kind !== 'progress') ctx.addIssue({ code: 'custom', path: ['progress'], message: 'only a progress report carries progress' });
  });
export const ReportUsageRequest = ReportSessionUsage.schema.omit({ sessionId: true });
export const QueueCompleteRequest = QueueComplete.schema.omit({ sessionId: true }).optional();
export const QueueFailRequest = QueueFail.schema.omit({ sessionId: true });
export const QueueSkipRequest = QueueSkip.schema.omit({ sessionId: true }).optional();

/** GET /api/agents/me — what the caller's session token says. */
export const AgentSelf = z.strictObject({
  sessionId: z.string(),
  projectId: z.string(),
  attemptId: z.string().nullable(),
  taskIds: z.array(z.string()),
  role: SessionRoleSchema,
  parentSessionId: z.string().nullable(),
  canSpawnWorkers: z.boolean(),
  issuedAt: z.string(),
  expiresAt: z.string(),
});
export type AgentSelf = z.output<typeof AgentSelf>;

/* ---------- reads ---------- */

export const ListSessionsQuery = z.strictObject({
  projectId: IdSchema.optional(),
  status: csvOf(SESSION_STATUSES, 'status', 'statuses').optional(),
  live: TriFlag.optional().describe('`true`: not ended; `false`: ended.'),
  attemptId: IdSchema.optional(),
  taskId: IdSchema.optional().describe('Sessions that have this task among theirs.'),
  parentSessionId: z
    .union([z.literal('null'), IdSchema])
    .optional()
    .describe("A session's workers; `null`: only sessions without a parent."),
  runnerId: IdSchema.optional(),
  templateId: IdSchema.optional(),
  limit: Limit(1_000, 100),
  offset: Offset,
  minSeq: MinSeq,
});

export const TimelineQuery = z.strictObject({
  kinds: csvOf(TIMELINE_KINDS, 'kind', 'kinds').optional(),
  until: Instant.optional().describe('Entries at or before this instant.'),
  untilSeq: SeqParam.optional().describe('Entries at or below this stream sequence.'),
  afterSeq: SeqParam.default(0).describe('Entries after this sequence: the cursor `nextAfterSeq` gives.'),
  limit: Limit(5_000, 500),
  minSeq: MinSeq,
});

export const ReplayQuery = z.strictObject({
  until: Instant.optional().describe('Replay up to this instant.'),
  untilSeq: SeqParam.optional().describe('Replay up to this stream sequence (never splitting one decision).'),
  minSeq: MinSeq,
});

export const ExportQuery = z.strictObject({
  format: z.enum(['cast', 'md']).default('cast').describe('`cast`: asciicast v2 (plays in `asciinema play`); `md`: a Markdown transcript.'),
  minSeq: MinSeq,
});

export const PendingQuery = z.strictObject({ projectId: IdSchema.optional(), limit: Limit(10_000, 500), minSeq: MinSeq });

export const UsageQuery = z.strictObject({
  taskId: IdSchema.optional(),
  attemptId: IdSchema.optional(),
  sessionId: IdSchema.optional(),
  minSeq: MinSeq,
});

export const UsageView = UsageSchema.strict();

const QueueItem = z.strictObject({ taskId: z.string(), status: QueueItemStatusSchema });

export const SessionView = z.strictObject({
  id: z.string(),
  projectId: z.string(),
  templateId: z.string(),
  templateVersion: z.number().int(),
  templateName: z.string(),
  kind: z.enum(['agent', 'command']),
  name: z.string(),
  role: SessionRoleSchema,
  strategy: SessionStrategySchema,
  attemptId: z.string().nullable(),
  taskIds: z.array(z.string()),
  parentSessionId: z.string().nullable(),
  origin: SessionOriginSchema,
  status: SessionStatusSchema,
  statusReason: z.string(),
  statusSince: z.string(),
  until: z.string().nullable().describe('`waiting_quota`: when the limit lifts; `pending`: not placed before this.'),
  runnerId: z.string().nullable(),
  lastRunnerId: z.string().nullable(),
  runnerIds: z.array(z.string()).describe('Every runner the session was placed on, oldest first.'),
  runnerLabels: LabelsMapSchema,
  ready: z.boolean(),
  restarts: z.number().int(),
  runs: z.number().int(),
  exitCode: z.number().int().nullable(),
  endedAt: z.string().nullable(),
  endedReason: z.string().nullable(),
  items: z.array(QueueItem),
  workerCount: z.number().int(),
  timelineCount: z.number().int(),
  lastTimelineAt: z.string().nullable(),
  lastMessage: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  usage: UsageView,
});
export type SessionView = z.output<typeof SessionView>;
export const SessionPage = pageOf(SessionView);

export const PendingSession = SessionView.extend({
  position: z.number().int().describe('1-based place in the placement queue.'),
  waiting: z
    .strictObject({ reason: z.string(), detail: z.string() })
    .nullable()
    .describe('Why it still waits, as the scheduler last saw it (null: not seen yet).'),
});
export const PendingQueue = z.strictObject({ items: z.array(PendingSession), scheduledAt: z.string().nullable() });

const TimelineFields = {
  id: z.string(),
  seq: z.number().int(),
  at: z.string(),
  kind: TimelineKindSchema,
  message: z.string(),
  taskId: z.string().nullable(),
  progress: z.number().nullable(),
  source: SignalSourceSchema.nullable(),
  workerId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
};
export const TimelineEntry = z.strictObject({ ...TimelineFields, sessionId: z.string() });
export type TimelineEntry = z.output<typeof TimelineEntry>;
export const TimelinePage = z.strictObject({ items: z.array(TimelineEntry), nextAfterSeq: z.number().int() });

export const SessionReplay = z.strictObject({
  sessionId: z.string(),
  at: z.string().nullable(),
  status: SessionStatusSchema,
  statuses: z.array(z.strictObject({ status: SessionStatusSchema, from: z.string(), reason: z.string() })),
  timeline: z.array(z.strictObject(TimelineFields)),
  inputs: z.array(z.strictObject({ at: z.string(), kind: z.string(), text: z.string(), fromSessionId: z.string().nullable() })),
  runnerId: z.string().nullable(),
  ready: z.boolean(),
  restarts: z.number().int(),
  items: z.array(QueueItem),
  usage: UsageView,
  workers: z.record(z.string(), z.string()),
});
export type SessionReplay = z.output<typeof SessionReplay>;

export const UsageRollup = z.strictObject({
  projectId: z.string(),
  taskId: z.string().optional(),
  attemptId: z.string().optional(),
  sessionId: z.string().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  costUsd: z.number(),
  sessions: z.number().int(),
});
export type UsageRollup = z.output<typeof UsageRollup>;

export const SessionExport = z.strictObject({
  sessionId: z.string(),
  format: z.enum(['asciicast-v2', 'markdown']),
  fileName: z.string(),
  content: z.string().describe('The file: asciicast v2 (newline-delimited JSON) or Markdown.'),
  truncated: z.boolean().describe('The recording was cut to fit one answer.'),
  frames: z.number().int().optional(),
});
export type SessionExport = z.output<typeof SessionExport>;

/* ---------- a project's stack (startup / shutdown sequences) ---------- */

export const ProjectStackAccepted = CommandAccepted.extend({
  steps: z
    .array(z.strictObject({ sessionId: z.string(), templateId: z.string() }))
    .describe('Opening: the sessions it starts, in order (each waits for the one before to be ready). Closing: empty.'),
});
