import { z } from 'zod';
import { LabelsMapSchema, RunnerCapacitySchema } from '@baton/events';
import { MinSeq } from './common';

/*
 * Runners (apps/gateway/src/runners): the registration from the sessions service's read
 * model, and liveness from the heartbeat KV (`<ns>_runners`) — never from events.
 */
export const ListRunnersQuery = z.strictObject({
  status: z.enum(['registered', 'deregistered']).optional(),
  minSeq: MinSeq,
});

export const RunnerView = z.strictObject({
  id: z.string(),
  hostname: z.string(),
  capacity: z.number().int(),
  labels: LabelsMapSchema,
  version: z.string().nullable(),
  draining: z.boolean(),
  status: z.enum(['registered', 'deregistered']),
  registeredAt: z.string(),
  updatedAt: z.string(),
  running: z.number().int().describe('Sessions holding one of its slots.'),
  alive: z.boolean().describe('Its heartbeat is fresh (10 s).'),
  lastHeartbeatAt: z.string().nullable(),
});
export type RunnerView = z.output<typeof RunnerView>;
export const RunnerList = z.array(RunnerView);

/** POST /api/runners/:id/drain — a draining runner keeps its sessions and takes no new ones. */
export const DrainRunnerRequest = z.strictObject({ draining: z.boolean().default(true), reason: z.string().max(2_000).default('') }).optional();
/** POST /api/runners/:id/capacity — an operator's limit on how many sessions it hosts. */
export const RunnerCapacityRequest = z.strictObject({ capacity: RunnerCapacitySchema });
