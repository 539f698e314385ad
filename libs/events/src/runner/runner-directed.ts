import { z } from 'zod';
import { IdSchema } from '../envelope';
import { BranchSchema, RepositorySchema } from '../values';
import { AgentIdSchema, OutputParserSchema, PatternSchema, PermissionModeSchema, QuotaRuleSchema, RelativePathSchema } from '../session-template/session-template.values';

/*
 * Messages the sessions service sends to ONE runner, on `<ns>.cmd.runner.<runnerId>.<type>`
 * (DESIGN §3), and the heartbeat a runner keeps in the KV bucket `<ns>_runners`.
 * They are not domain commands (no aggregate decides them): the runner acts on them and
 * reports back with `session.record_*` commands.
 */

/** A file the runner writes into the session's own directory (outside the worktree) before spawning. */
export const LaunchFileSchema = z.strictObject({
  path: RelativePathSchema,
  content: z.string().max(1_000_000),
  mode: z.union([z.literal(0o600), z.literal(0o644), z.literal(0o755)]),
  /** Environment variable that receives the file's absolute path. */
  exportAs: z.string().regex(/^BATON_[A-Z0-9_]+$/).nullable(),
});
export type LaunchFile = z.infer<typeof LaunchFileSchema>;

/** Exactly what to execute: argv is passed to exec as is (never to a shell line built by Baton). */
export const LaunchSpecSchema = z.strictObject({
  argv: z.array(z.string().max(100_000)).min(1).max(100),
  env: z.record(z.string(), z.string().max(200_000)),
  /** Relative to the workspace root (the attempt's worktree, or the project's checkout). */
  cwd: z.string().max(1_000),
  files: z.array(LaunchFileSchema).max(20),
});
export type LaunchSpec = z.infer<typeof LaunchSpecSchema>;

export const RunnerStartSchema = z.strictObject({
  sessionId: IdSchema,
  projectId: IdSchema,
  /** The run number: 0 first, then one more per restart (names logs and terminal chunks). */
  run: z.number().int().min(0),
  /**
   * The placement's epoch (1 for the first placement, one more per placement): the runner tags its
   * reports with it and the session decider refuses a stale one (fencing, docs/decisions/0026).
   * Absent from a sessions service older than fencing.
   */
  epoch: z.number().int().min(0).optional(),
  kind: z.enum(['agent', 'command']),
  workspace: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('attempt'), attemptId: IdSchema, taskId: IdSchema, branch: BranchSchema, baseBranch: BranchSchema }),
    z.strictObject({ kind: z.literal('project') }),
    /** A detached checkout of `commit`, fetched from the project's repository's `ref` if the runner lacks it (a merge-train check). */
    z.strictObject({ kind: z.literal('commit'), ref: z.string().regex(/^refs\/baton-train\/[A-Za-z0-9_-]{1,64}$/), commit: z.string().regex(/^[0-9a-f]{40,64}$/) }),
  ]),
  repository: RepositorySchema,
  launch: LaunchSpecSchema,
  copyFiles: z.array(RelativePathSchema).max(100),
  setupScript: z.string().max(20_000).nullable(),
  cleanupScript: z.string().max(20_000).nullable(),
  patterns: z.strictObject({
    ready: PatternSchema.nullable(),
    success: PatternSchema.nullable(),
    error: PatternSchema.nullable(),
    quota: QuotaRuleSchema.shape.pattern.nullable(),
    parsers: z.array(OutputParserSchema).max(50),
  }),
  /** Typed into the terminal, in order, once the process is up (inputs sent before it ran); a message to submit comes with its flag. */
  initialInput: z.array(z.union([z.string().max(100_000), z.strictObject({ data: z.string().min(1).max(100_000), submit: z.literal(true) })])).max(100),
  size: z.strictObject({ cols: z.number().int().min(10).max(1_000), rows: z.number().int().min(5).max(500) }),
  /**
   * Where the session's terminal stands (its last stored chunk, over every runner that hosted
   * it), so a restarted or moved session continues after it. The sessions service looks it up:
   * a runner may not read other runners' terminal subjects (issue #12). Absent: a new terminal.
   */
  terminal: z.strictObject({ lastChunk: z.number().int().min(-1), lastOffsetMs: z.number().int().min(0) }).optional(),
  /**
   * A real agent: the runner drives it through its adapter (libs/agents). It keeps the agent's
   * home per attempt, so it also knows the conversation to resume: `launch.argv[0]` is the program.
   */
  agent: z
    .strictObject({ id: AgentIdSchema, permissionMode: PermissionModeSchema, model: z.string().max(200).nullable() })
    .nullable()
    .default(null),
});
export type RunnerStart = z.infer<typeof RunnerStartSchema>;

export const RunnerStopSchema = z.strictObject({
  sessionId: IdSchema,
  reason: z.string().max(2_000),
  /** SIGTERM, then SIGKILL after this long. */
  graceMs: z.number().int().min(0).max(600_000),
  /** Run the template's cleanup script afterwards (not when the session restarts). */
  cleanup: z.boolean(),
  /**
   * The session was moved away from this runner: stop this copy without reporting, pushing,
   * merging or cleaning up for it. `epoch`: the placement being ended; a newer copy of the same
   * session on this runner is left alone.
   */
  fence: z.boolean().optional(),
  epoch: z.number().int().min(0).optional(),
});
export type RunnerStop = z.infer<typeof RunnerStopSchema>;

export const RunnerInputSchema = z.strictObject({
  sessionId: IdSchema,
  data: z.string().min(1).max(100_000),
  /** A message to submit (prompt, follow-up, reply): the runner types it and then Enter, the way the agent's TUI takes it. */
  submit: z.boolean().default(false),
});
export type RunnerInput = z.infer<typeof RunnerInputSchema>;

/**
 * Autopilot: merge an attempt's branch into its base on the runner that holds its worktree,
 * publish the base to the project's repository, and answer with `autopilot.record_merge`.
 */
export const RunnerMergeSchema = z.strictObject({
  projectId: IdSchema,
  taskId: IdSchema,
  attemptId: IdSchema,
  branch: BranchSchema,
  into: BranchSchema,
  strategy: z.enum(['squash', 'merge']),
  message: z.string().min(1).max(10_000),
});
export type RunnerMerge = z.infer<typeof RunnerMergeSchema>;

/**
 * A merge-train step (docs/decisions/0030) for the runner that holds the cars' branches: `build`
 * puts them, in order, on `onto` (null: the target's newest tip), publishes the result as
 * `trainRef(batchId)` in the project's repository and, with `land`, moves the target there; `land`
 * alone moves the target to a checked commit. Only ever as a fast-forward. Answered with
 * `merge_train.record_build` / `record_land`.
 */
const trainStep = { projectId: IdSchema, target: BranchSchema, batchId: IdSchema };
const trainCar = z.strictObject({ taskId: IdSchema, attemptId: IdSchema, branch: BranchSchema });
const FullCommit = z.string().regex(/^[0-9a-f]{7,64}$/);
export const RunnerTrainSchema = z.discriminatedUnion('step', [
  z.strictObject({
    step: z.literal('build'),
    ...trainStep,
    /** In order, all held by this runner. */
    cars: z.array(trainCar).min(1).max(32),
    onto: FullCommit.nullable(),
    integration: z.enum(['squash', 'rebase', 'merge']),
    /** Then move the target to the result (no check to run first). */
    land: z.boolean(),
  }),
  z.strictObject({ step: z.literal('land'), ...trainStep, car: trainCar, commit: FullCommit, base: FullCommit }),
]);
export type RunnerTrain = z.infer<typeof RunnerTrainSchema>;

/** Where a batch's result waits in the project's repository while it is checked (outside `refs/heads`: no branch to see). */
export const trainRef = (batchId: string): string => `refs/baton-train/${batchId}`;

export const RUNNER_DIRECTED = { start: RunnerStartSchema, stop: RunnerStopSchema, input: RunnerInputSchema, merge: RunnerMergeSchema, train: RunnerTrainSchema } as const;
export type RunnerDirectedType = keyof typeof RUNNER_DIRECTED;
export type RunnerDirected =
  | { type: 'start'; runnerId: string; data: RunnerStart }
  | { type: 'stop'; runnerId: string; data: RunnerStop }
  | { type: 'input'; runnerId: string; data: RunnerInput }
  | { type: 'merge'; runnerId: string; data: RunnerMerge }
  | { type: 'train'; runnerId: string; data: RunnerTrain };

/** KV `<ns>_runners`, key = runnerId, put every few seconds; the bucket's TTL makes a silent runner disappear. */
export const RunnerHeartbeatSchema = z.object({
  runnerId: IdSchema,
  at: z.iso.datetime(),
  /** Where the runner's HTTP API (screens, diffs, merges) is reached; absent: the gateway's BATON_RUNNER_URLS. */
  httpUrl: z.string().regex(/^https?:\/\/[^\s/]+(?:\/[^\s]*)?$/, 'must be an http(s) URL').max(2_000).nullable().optional(),
  sessions: z
    .array(
      z.object({
        sessionId: IdSchema,
        pid: z.number().int().positive().nullable(),
        lastOutputAt: z.iso.datetime().nullable(),
        /** The placement epoch of this copy (absent from runners older than fencing). */
        epoch: z.number().int().min(0).optional(),
      }),
    )
    .max(10_000),
  /** Admission: how many starts it takes at once, and its load (1-min load average per core) against its limit. */
  admission: z
    .object({
      maxStarting: z.number().int().min(1).max(10_000),
      load: z.number().min(0).max(100_000),
      loadLimit: z.number().min(0).max(100_000),
      /** Starts allowed at once while the load is over the limit. */
      maxStartingOverLoad: z.number().int().min(1).max(10_000),
    })
    .optional(),
});
export type RunnerHeartbeat = z.infer<typeof RunnerHeartbeatSchema>;
