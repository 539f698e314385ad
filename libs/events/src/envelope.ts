import { z } from 'zod';

/** Aggregates that own a subject in the event log (`<ns>.evt.<aggregate>.<id>`). */
export const AGGREGATE_TYPES = ['project', 'task', 'session', 'session_template', 'runner', 'prompt_template', 'user', 'notification_channel'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];
export const AggregateTypeSchema = z.enum(AGGREGATE_TYPES);

/** A subject token: NATS forbids '.', '*', '>' and white space inside one. */
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-"');

export const ActorSchema = z.object({
  kind: z.enum(['user', 'agent', 'system']),
  id: z.string().min(1).max(128),
});
export type Actor = z.infer<typeof ActorSchema>;

export const AggregateRefSchema = z.object({ type: AggregateTypeSchema, id: IdSchema });
export type AggregateRef = z.infer<typeof AggregateRefSchema>;

/**
 * The stored shape of every event. `data` is validated separately against the
 * schema of (`type`, `version`) and upcast to the current version on decode.
 * `batch` says where this event stands among the events its command produced,
 * so a command redelivered after a partial append can finish it instead of redoing it.
 */
export const StoredEnvelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  version: z.number().int().positive(),
  aggregate: AggregateRefSchema,
  occurredAt: z.iso.datetime(),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  batch: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  data: z.unknown(),
});
export type StoredEnvelope = z.infer<typeof StoredEnvelopeSchema>;

/** An event as the domain sees it after decoding: typed data at the current version. */
export interface EventEnvelope<TType extends string = string, TData = unknown> extends Omit<StoredEnvelope, 'type' | 'data'> {
  type: TType;
  data: TData;
}

/** Position of a decoded event in the log. */
export interface LogPosition {
  /** Stream sequence: the event's global position. */
  seq: number;
  /** The event's position within its aggregate (1-based). */
  aggregateVersion?: number;
}

export type RecordedEvent<E extends EventEnvelope = EventEnvelope> = E & { position: LogPosition };

/**
 * One aggregate's events in order, without a decision still being appended at the end: a
 * decision's events are appended one by one, so a read can land between them. A view that
 * folds only what this returns never shows half a decision.
 */
export function completeDecisions<E extends Pick<EventEnvelope, 'batch'>>(events: readonly E[]): readonly E[] {
  const last = events.at(-1);
  if (!last?.batch || last.batch.index === last.batch.count - 1) return events;
  return events.slice(0, Math.max(0, events.length - last.batch.index - 1));
}

/** What a decider returns: an event not yet stamped with ids, actor and time. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}
