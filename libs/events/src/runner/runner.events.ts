import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { LabelsMapSchema } from '../session/session.values';

/*
 * A runner's registration (subject `runner.<id>`). Liveness is not an event: runners put
 * a heartbeat in the KV bucket `baton_runners` (see runner-directed.ts) and the
 * scheduler reads it with a TTL.
 */

export const RunnerCapacitySchema = z.number().int().min(0).max(10_000);

/** Also sent again when a runner restarts with other capacity or labels. */
export const RunnerRegistered = defineEvent({
  type: 'runner.registered',
  aggregate: 'runner',
  schema: z.object({
    hostname: z.string().min(1).max(255),
    capacity: RunnerCapacitySchema,
    labels: LabelsMapSchema,
    version: z.string().max(64).nullable(),
  }),
});

export const RunnerCapacityChanged = defineEvent({
  type: 'runner.capacity_changed',
  aggregate: 'runner',
  schema: z.object({ capacity: RunnerCapacitySchema, previous: RunnerCapacitySchema }),
});

/** A draining runner keeps its sessions but takes no new ones. */
export const RunnerDrainChanged = defineEvent({
  type: 'runner.drain_changed',
  aggregate: 'runner',
  schema: z.object({ draining: z.boolean(), reason: z.string().max(2_000) }),
});

export const RunnerDeregistered = defineEvent({
  type: 'runner.deregistered',
  aggregate: 'runner',
  schema: z.object({ reason: z.string().max(2_000) }),
});

export const runnerEvents = [RunnerRegistered, RunnerCapacityChanged, RunnerDrainChanged, RunnerDeregistered] as const;
export type RunnerEvent =
  | EventOf<typeof RunnerRegistered>
  | EventOf<typeof RunnerCapacityChanged>
  | EventOf<typeof RunnerDrainChanged>
  | EventOf<typeof RunnerDeregistered>;
