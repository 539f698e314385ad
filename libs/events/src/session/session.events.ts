import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { PermissionModeSchema, TemplateSnapshotSchema } from '../session-template/session-template.values';
import {
  OutputPatternKindSchema,
  BudgetSchema,
  FinalSessionStatusSchema,
  InputKindSchema,
  InputTextSchema,
  LabelsMapSchema,
  MessageSchema,
  QueueItemStatusSchema,
  ReasonTextSchema,
  SessionOriginSchema,
  SessionRoleSchema,
  SessionStatusSchema,
  SessionStrategySchema,
  SignalSourceSchema,
  TimelineKindSchema,
  UsageSchema,
} from './session.values';

/*
 * One session's life on its own subject (`session.<id>`): its status, timeline, queue
 * items and usage are rebuilt from these events alone (DESIGN §4, Replay).
 * docs/decisions/0005-session-aggregates.md explains the boundaries.
 */

/** The session exists and waits `pending` for a runner. Its first timeline entry follows. */
export const SessionRequested = defineEvent({
  type: 'session.requested',
  aggregate: 'session',
  schema: z.object({
    projectId: IdSchema,
    templateId: IdSchema,
    taskIds: z.array(IdSchema).max(500),
    attemptId: IdSchema.nullable(),
    parentSessionId: IdSchema.nullable(),
    strategy: SessionStrategySchema,
    role: SessionRoleSchema,
    name: z.string().max(200).optional(),
    origin: SessionOriginSchema.optional(),
    /** Extra runner labels this session needs, on top of its template's. */
    runnerLabels: LabelsMapSchema.optional(),
    budget: BudgetSchema.nullable().optional(),
    /** The first prompt, when the requester wrote one (an attempt's prompt comes from its conversation). */
    prompt: InputTextSchema.nullable().optional(),
    /** Overrides the template's permission mode (`auto` for the autopilot). */
    permissionMode: PermissionModeSchema.nullable().optional(),
  }),
});

/** The template version the session runs; emitted with `session.requested`. */
export const SessionTemplatePinned = defineEvent({
  type: 'session.template_pinned',
  aggregate: 'session',
  schema: TemplateSnapshotSchema.extend({ templateId: IdSchema }),
});

export const SessionPlaced = defineEvent({
  type: 'session.placed',
  aggregate: 'session',
  schema: z.object({ runnerId: IdSchema }),
});

/** The runner started the process. */
export const SessionSpawned = defineEvent({
  type: 'session.spawned',
  aggregate: 'session',
  schema: z.object({ runnerId: IdSchema, pid: z.number().int().positive().nullable() }),
});

/** Ready for work: an agent registered, a command printed its ready pattern (or has none). */
export const SessionReady = defineEvent({
  type: 'session.ready',
  aggregate: 'session',
  schema: z.object({
    via: z.enum(['registered', 'ready_pattern', 'spawned']),
    agent: z.string().max(200).nullable(),
    /** The agent's own conversation id (what a later session of the attempt resumes). */
    conversationId: z.string().max(200).nullable().optional(),
    /** Copied from the request: a startup step's readiness moves its project's sequence on. */
    origin: SessionOriginSchema,
  }),
});

export const SessionStatusChanged = defineEvent({
  type: 'session.status_changed',
  aggregate: 'session',
  schema: z.object({
    from: SessionStatusSchema,
    to: SessionStatusSchema,
    source: SignalSourceSchema,
    reason: ReasonTextSchema,
    /** `waiting_quota`: when the limit lifts; `pending` after a restart: not placed before. */
    until: z.iso.datetime().nullable().optional(),
  }),
});

/** A timeline entry; `metadata` is display data, the typed fields are what state and reactors read. */
export const TimelineRecorded = defineEvent({
  type: 'session.timeline_recorded',
  aggregate: 'session',
  schema: z.object({
    kind: TimelineKindSchema,
    message: MessageSchema,
    taskId: IdSchema.nullable(),
    progress: z.number().min(0).max(1).nullable(),
    metadata: z.record(z.string(), z.unknown()),
    source: SignalSourceSchema.optional(),
    workerId: IdSchema.optional(),
    workerStatus: SessionStatusSchema.optional(),
    match: z
      .object({
        pattern: OutputPatternKindSchema,
        parser: z.string().max(64).nullable(),
        text: z.string().max(4_000),
        groups: z.record(z.string(), z.string().max(1_000)),
      })
      .optional(),
  }),
});

/** A task item of the session moved (both strategies: a simple session's tasks are items too). */
export const QueueItemChanged = defineEvent({
  type: 'session.queue_item_changed',
  aggregate: 'session',
  schema: z.object({
    taskId: IdSchema,
    from: QueueItemStatusSchema,
    to: QueueItemStatusSchema,
    reason: ReasonTextSchema,
    /** Copied from the request so reactors need no lookup. */
    projectId: IdSchema,
    attemptId: IdSchema.nullable(),
  }),
});

export const UsageReported = defineEvent({
  type: 'session.usage_reported',
  aggregate: 'session',
  schema: z.object({
    delta: UsageSchema,
    /** The session's totals after this report. */
    total: UsageSchema,
    /** The task the work was for (the attempt's, or the queue item in progress); null: the session as a whole. */
    taskId: IdSchema.nullable(),
    model: z.string().max(200).nullable(),
    projectId: IdSchema,
    attemptId: IdSchema.nullable(),
  }),
});

/** Text for the agent's terminal; the runner types it when the process runs (or as soon as it does). */
export const InputSent = defineEvent({
  type: 'session.input_sent',
  aggregate: 'session',
  schema: z.object({
    kind: InputKindSchema,
    text: InputTextSchema,
    fromSessionId: IdSchema.nullable(),
    /** Where to deliver it now; null: not running yet, delivered at start. */
    runnerId: IdSchema.nullable(),
  }),
});

export const ProcessExited = defineEvent({
  type: 'session.process_exited',
  aggregate: 'session',
  schema: z.object({ runnerId: IdSchema, exitCode: z.number().int().nullable(), signal: z.string().max(32).nullable() }),
});

/** The session goes back to `pending` to run again (same attempt, maybe another runner). */
export const RestartScheduled = defineEvent({
  type: 'session.restart_scheduled',
  aggregate: 'session',
  schema: z.object({
    /** 1 for the first restart (since the count last started over). */
    restart: z.number().int().positive(),
    reason: ReasonTextSchema,
    notBefore: z.iso.datetime(),
    previousRunnerId: IdSchema.nullable(),
    /** The old process may still run (stall, lost runner that comes back): the runner must kill it. */
    killProcess: z.boolean(),
    /** The placement epoch that ends here: the old runner fences that copy (stops it without reporting for it). */
    epoch: z.number().int().min(0).optional(),
  }),
});

/** The terminal fact: what reactors act on (seat, parent, tasks, startup sequence, runner). */
export const SessionEnded = defineEvent({
  type: 'session.ended',
  aggregate: 'session',
  schema: z.object({
    status: FinalSessionStatusSchema,
    reason: ReasonTextSchema,
    exitCode: z.number().int().nullable(),
    runnerId: IdSchema.nullable(),
    killProcess: z.boolean(),
    /** Live workers to stop with it (a cascading stop). */
    cascadeTo: z.array(IdSchema).max(1_000),
    projectId: IdSchema,
    attemptId: IdSchema.nullable(),
    taskIds: z.array(IdSchema).max(500),
    parentSessionId: IdSchema.nullable(),
    origin: SessionOriginSchema,
  }),
});

export const sessionEvents = [
  SessionRequested,
  SessionTemplatePinned,
  SessionPlaced,
  SessionSpawned,
  SessionReady,
  SessionStatusChanged,
  TimelineRecorded,
  QueueItemChanged,
  UsageReported,
  InputSent,
  ProcessExited,
  RestartScheduled,
  SessionEnded,
] as const;

export type SessionEvent =
  | EventOf<typeof SessionRequested>
  | EventOf<typeof SessionTemplatePinned>
  | EventOf<typeof SessionPlaced>
  | EventOf<typeof SessionSpawned>
  | EventOf<typeof SessionReady>
  | EventOf<typeof SessionStatusChanged>
  | EventOf<typeof TimelineRecorded>
  | EventOf<typeof QueueItemChanged>
  | EventOf<typeof UsageReported>
  | EventOf<typeof InputSent>
  | EventOf<typeof ProcessExited>
  | EventOf<typeof RestartScheduled>
  | EventOf<typeof SessionEnded>;

export const SESSION_EVENT_TYPES: ReadonlySet<string> = new Set(sessionEvents.map((e) => e.type));
export function isSessionEvent(e: { type: string }): e is SessionEvent {
  return SESSION_EVENT_TYPES.has(e.type);
}
