import { z } from 'zod';

/*
 * Shapes of the admin API (operators of an installation, admin role only). The domain
 * services answer the admin queries (libs/service-kit/src/admin) in these shapes, the gateway
 * checks their answers against them and adds what it reads from JetStream itself, and the
 * CLI reads them.
 */

/** The services that own read models and answer admin queries. */
export const ADMIN_SERVICES = ['tasks', 'sessions'] as const;
export type AdminService = (typeof ADMIN_SERVICES)[number];

export const AdminServiceName = z.enum(ADMIN_SERVICES).describe('A service that owns read models: tasks | sessions.');
export const ReadModelName = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'must be a read model name (lower case, digits, "_")').describe('A read model (projection) name, e.g. `tasks`, `sessions`.');

export const ReadModelParams = z.strictObject({ service: AdminServiceName, name: ReadModelName });

export const RebuildRequest = z
  .strictObject({
    waitMs: z.number().int().min(0).max(300_000).default(20_000).describe('Wait this long for the replay to catch up before answering `rebuilding` (then follow it with GET …/read-models/:service/:name).'),
  })
  .optional();

export const VerifyRequest = z
  .strictObject({
    services: z.array(AdminServiceName).min(1).max(ADMIN_SERVICES.length).optional().describe('Default: every service.'),
    sampleSize: z.number().int().min(0).max(100).default(10).describe('How many differing row ids to list per read model.'),
  })
  .optional();

const ServiceError = z.strictObject({ code: z.string(), message: z.string() });

export const ReadModelState = z.strictObject({
  name: z.string(),
  version: z.number().int(),
  storedVersion: z.number().int().nullable(),
  checkpoint: z.number().int(),
  lag: z.number().int(),
  rows: z.number().int(),
  updatedAt: z.string().nullable(),
  replica: z
    .strictObject({
      leader: z.boolean(),
      memorySeq: z.number().int(),
      phase: z.string(),
      phaseMs: z.number().int(),
      buffered: z.number().int(),
      failures: z.number().int().describe('Tries in a row that failed (0 while it applies): an event it cannot apply holds it here.'),
      lastError: z.string().nullable().describe('Why the last of those tries failed.'),
    })
    .describe("The answering replica's own view: whether it leads this read model, its loop's phase (fetching, applying, retrying, …) and for how long."),
});

export const ReadModelProgress = ReadModelState.extend({
  service: AdminServiceName,
  lastSeq: z.number().int(),
  caughtUp: z.boolean().describe('The checkpoint has reached the log as of this answer.'),
});

export const ServiceReadModels = z.strictObject({
  service: AdminServiceName,
  lastSeq: z.number().int().optional(),
  readModels: z.array(ReadModelState).optional(),
  answeredBy: z.string().optional(),
  error: ServiceError.optional().describe('The service did not answer.'),
});
export const ReadModelList = z.strictObject({ services: z.array(ServiceReadModels) });

export const RebuildResult = z.strictObject({
  service: AdminServiceName,
  name: z.string(),
  status: z.enum(['caught_up', 'rebuilding']),
  targetSeq: z.number().int().describe('The log\'s last sequence when the rebuild started.'),
  checkpoint: z.number().int(),
  rows: z.number().int(),
  ms: z.number().int(),
  answeredBy: z.string().describe('The replica that leads this read model and rebuilt it.'),
});

export const RowDifference = z.strictObject({ id: z.string(), kind: z.enum(['only_live', 'only_rebuilt', 'different']), columns: z.array(z.string()).optional() });

export const ReadModelComparison = z.strictObject({
  name: z.string(),
  checkpoint: z.number().int(),
  storedVersion: z.number().int().nullable(),
  liveRows: z.number().int(),
  rebuiltRows: z.number().int(),
  onlyLive: z.number().int(),
  onlyRebuilt: z.number().int(),
  different: z.number().int(),
  sample: z.array(RowDifference),
});

export const ServiceVerification = z.strictObject({
  service: AdminServiceName,
  ok: z.boolean(),
  eventsRead: z.number().int().optional(),
  undecodable: z.number().int().optional(),
  ms: z.number().int().optional(),
  readModels: z.array(ReadModelComparison).optional(),
  answeredBy: z.string().optional(),
  error: ServiceError.optional(),
});

export const VerifyReport = z.strictObject({
  ok: z.boolean().describe('Every read model of every service equals its rebuild from the log.'),
  ms: z.number().int(),
  services: z.array(ServiceVerification),
});

const StreamReplica = z.strictObject({ name: z.string(), current: z.boolean(), lag: z.number().int(), activeMs: z.number() });

export const StreamState = z.strictObject({
  name: z.string(),
  role: z.enum(['events', 'commands', 'terminal', 'kv']),
  messages: z.number().int(),
  bytes: z.number().int(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  consumers: z.number().int(),
  replicas: z.number().int(),
  cluster: z.strictObject({ name: z.string().optional(), leader: z.string().optional(), replicas: z.array(StreamReplica) }).nullable(),
});

export const ConsumerState = z.strictObject({
  stream: z.string(),
  name: z.string(),
  durable: z.boolean(),
  numPending: z.number().int().describe('Messages not delivered yet (lag).'),
  numAckPending: z.number().int().describe('Delivered, not acknowledged yet.'),
  numRedelivered: z.number().int(),
  deliveredSeq: z.number().int(),
  ackFloorSeq: z.number().int(),
});

export const StreamsReport = z.strictObject({
  namespace: z.string(),
  at: z.string(),
  streams: z.array(StreamState),
  consumers: z.array(ConsumerState),
  readModels: z.array(ServiceReadModels).describe('Projection checkpoints against the events stream\'s last sequence, per service.'),
});

export type ReadModelState = z.output<typeof ReadModelState>;
export type RowDifference = z.output<typeof RowDifference>;
export type ReadModelComparison = z.output<typeof ReadModelComparison>;
export type ServiceVerification = z.output<typeof ServiceVerification>;
export type RebuildResult = z.output<typeof RebuildResult>;
export type VerifyReport = z.output<typeof VerifyReport>;
export type StreamsReport = z.output<typeof StreamsReport>;
export type ServiceReadModels = z.output<typeof ServiceReadModels>;
export type ReadModelProgress = z.output<typeof ReadModelProgress>;
