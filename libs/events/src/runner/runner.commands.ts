import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { LabelsMapSchema } from '../session/session.values';
import { RunnerCapacitySchema } from './runner.events';

/** Sent by a runner when it starts (again): capacity and labels as it sees them now. */
export const RegisterRunner = defineCommand({
  type: 'runner.register',
  service: 'sessions',
  schema: z.strictObject({
    runnerId: IdSchema,
    hostname: z.string().min(1).max(255),
    capacity: RunnerCapacitySchema,
    labels: LabelsMapSchema.default({}),
    version: z.string().max(64).nullable().default(null),
  }),
});

/** An operator's override of how many sessions the runner may host. */
export const SetRunnerCapacity = defineCommand({
  type: 'runner.set_capacity',
  service: 'sessions',
  schema: z.strictObject({ runnerId: IdSchema, capacity: RunnerCapacitySchema }),
});

export const DrainRunner = defineCommand({
  type: 'runner.drain',
  service: 'sessions',
  schema: z.strictObject({ runnerId: IdSchema, draining: z.boolean().default(true), reason: z.string().max(2_000).default('') }),
});

export const DeregisterRunner = defineCommand({
  type: 'runner.deregister',
  service: 'sessions',
  schema: z.strictObject({ runnerId: IdSchema, reason: z.string().max(2_000).default('') }),
});

export const runnerCommands = [RegisterRunner, SetRunnerCapacity, DrainRunner, DeregisterRunner] as const;
