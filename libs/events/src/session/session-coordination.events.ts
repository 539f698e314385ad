import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { SpawnRequestSchema } from './spawn-request';
import { FinalSessionStatusSchema, FollowUpKindSchema, InputTextSchema, ReasonTextSchema } from './session.values';

/*
 * Coordination aggregates of the sessions service, on `session`-typed subjects whose ids
 * carry a prefix (session.values.ts):
 * - the attempt's seat, `session.attempt-<attemptId>`: at most one running session per
 *   attempt, decided atomically under the seat's optimistic concurrency;
 * - the project's stack, `session.project-<projectId>`: the startup sequence in order
 *   (each step waits for its session to be ready), the shutdown in reverse.
 */

const SpawnedRequest = SpawnRequestSchema.extend({ attemptId: IdSchema });

/** The session takes the attempt's seat; a reactor creates it on its own subject. */
export const AttemptSeatClaimed = defineEvent({
  type: 'session.attempt_seat_claimed',
  aggregate: 'session',
  /** `followUp`: the session starts with a follow-up of this kind (its prompt). */
  schema: z.object({ attemptId: IdSchema, sessionId: IdSchema, request: SpawnedRequest, followUp: FollowUpKindSchema.optional() }),
});

export const AttemptSeatReleased = defineEvent({
  type: 'session.attempt_seat_released',
  aggregate: 'session',
  schema: z.object({ attemptId: IdSchema, sessionId: IdSchema, status: FinalSessionStatusSchema.nullable(), reason: ReasonTextSchema }),
});

/** A follow-up for the attempt goes into its running session. */
export const AttemptFollowUpRouted = defineEvent({
  type: 'session.attempt_follow_up_routed',
  aggregate: 'session',
  schema: z.object({ attemptId: IdSchema, taskId: IdSchema, sessionId: IdSchema, text: InputTextSchema, kind: FollowUpKindSchema.optional() }),
});

/** The attempt finished: no more sessions in it; the one in the seat (if any) is stopped. */
export const AttemptSeatClosed = defineEvent({
  type: 'session.attempt_seat_closed',
  aggregate: 'session',
  schema: z.object({ attemptId: IdSchema, reason: ReasonTextSchema, sessionId: IdSchema.nullable() }),
});

const StepRequest = SpawnRequestSchema;

export const ProjectOpenStarted = defineEvent({
  type: 'session.project_open_started',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, steps: z.array(StepRequest).min(1).max(50) }),
});

/** A reactor spawns the step's session. */
export const ProjectStepSpawned = defineEvent({
  type: 'session.project_step_spawned',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, index: z.number().int().min(0), request: StepRequest }),
});

export const ProjectStepReady = defineEvent({
  type: 'session.project_step_ready',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, index: z.number().int().min(0), sessionId: IdSchema }),
});

export const ProjectOpened = defineEvent({
  type: 'session.project_opened',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema }),
});

/** A step ended before it was ready: the steps after it are not started. */
export const ProjectOpenFailed = defineEvent({
  type: 'session.project_open_failed',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, index: z.number().int().min(0), sessionId: IdSchema, reason: ReasonTextSchema }),
});

export const ProjectCloseStarted = defineEvent({
  type: 'session.project_close_started',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, order: z.array(IdSchema).max(50) }),
});

/** A reactor stops the step's session; the next waits until it ended. */
export const ProjectStepStopRequested = defineEvent({
  type: 'session.project_step_stop_requested',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, sessionId: IdSchema }),
});

export const ProjectStepStopped = defineEvent({
  type: 'session.project_step_stopped',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema, sessionId: IdSchema }),
});

export const ProjectClosed = defineEvent({
  type: 'session.project_closed',
  aggregate: 'session',
  schema: z.object({ projectId: IdSchema }),
});

export const attemptSeatEvents = [AttemptSeatClaimed, AttemptSeatReleased, AttemptFollowUpRouted, AttemptSeatClosed] as const;
export const projectStackEvents = [
  ProjectOpenStarted,
  ProjectStepSpawned,
  ProjectStepReady,
  ProjectOpened,
  ProjectOpenFailed,
  ProjectCloseStarted,
  ProjectStepStopRequested,
  ProjectStepStopped,
  ProjectClosed,
] as const;

export type AttemptSeatEvent =
  | EventOf<typeof AttemptSeatClaimed>
  | EventOf<typeof AttemptSeatReleased>
  | EventOf<typeof AttemptFollowUpRouted>
  | EventOf<typeof AttemptSeatClosed>;

export type ProjectStackEvent =
  | EventOf<typeof ProjectOpenStarted>
  | EventOf<typeof ProjectStepSpawned>
  | EventOf<typeof ProjectStepReady>
  | EventOf<typeof ProjectOpened>
  | EventOf<typeof ProjectOpenFailed>
  | EventOf<typeof ProjectCloseStarted>
  | EventOf<typeof ProjectStepStopRequested>
  | EventOf<typeof ProjectStepStopped>
  | EventOf<typeof ProjectClosed>;
