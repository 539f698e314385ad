import { z } from 'zod';
import { NameSchema } from '../values';
import { LabelsMapSchema } from '../session/session.values';

/**
 * The variables a template may use, in `{{name}}` form, inside env values only. They are
 * substituted as plain text in one pass; argv is never interpolated, so a task title
 * reaches a process as data (an environment value or a file), never as shell code.
 */
export const TEMPLATE_VARIABLES = [
  'session.id',
  'session.role',
  'session.name',
  'project.id',
  'task.id',
  'task.title',
  'task.description',
  'attempt.id',
  'attempt.branch',
  'parent.id',
  'prompt',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
const KNOWN_VARIABLES: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !KNOWN_VARIABLES.has(name));
}

export function regexError(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  // A quantified group that itself ends in a quantifier ("(a+)+") backtracks exponentially on a runner's output.
  if (/\((?:[^()\\]|\\.)*[+*}]\)[+*{]/.test(pattern)) return 'nested quantifiers like "(a+)+" can take exponential time';
  return null;
}

export const PatternSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1_000, 'must be at most 1000 characters')
  .superRefine((p, ctx) => {
    const err = regexError(p);
    if (err) ctx.addIssue({ code: 'custom', message: `must be a valid regular expression: ${err}` });
  });

/** A path inside the worktree (or the repository): relative, without "..". */
export const RelativePathSchema = z
  .string()
  .min(1)
  .max(1_000)
  .refine((p) => !p.startsWith('/') && !p.startsWith('~') && !p.includes('\0') && !p.split(/[\\/]/).includes('..'), 'must be a relative path without ".."');

export const RestartPolicySchema = z.strictObject({
  mode: z.enum(['never', 'on-failure', 'always']),
  /** First delay; doubles with every restart up to `maxBackoffMs`. */
  backoffMs: z.number().int().min(0).max(3_600_000),
  maxBackoffMs: z.number().int().min(0).max(86_400_000),
  maxRestarts: z.number().int().min(0).max(1_000),
  /** A run that lasted this long starts the restart count over (null: never). */
  resetAfterMs: z.number().int().positive().max(86_400_000).nullable(),
});
export type RestartPolicy = z.infer<typeof RestartPolicySchema>;

export const PARSER_KINDS = ['progress', 'milestone', 'error', 'needs_input', 'output_matched'] as const;
export const OutputParserSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 lower-case letters, digits, "_" or "-"'),
  /** Named groups become the timeline entry's data; `percent` (0-100) or `progress` (0-1) and `message` are understood. */
  pattern: PatternSchema,
  kind: z.enum(PARSER_KINDS),
});
export type OutputParser = z.infer<typeof OutputParserSchema>;

export const QuotaRuleSchema = z.strictObject({
  /** Matches the agent's usage-limit message; a `reset` group (time, date or "in 2h") names when it lifts. */
  pattern: PatternSchema,
  /** Typed into the agent when the wait is over. */
  resumeInput: z.string().min(1).max(1_000),
  /** How long to wait when the message names no time. */
  defaultWaitMs: z.number().int().positive().max(7 * 86_400_000),
});
export type QuotaRule = z.infer<typeof QuotaRuleSchema>;

export const STALL_ACTIONS = ['notify', 'interrupt', 'restart', 'fail'] as const;
export const StallActionSchema = z.enum(STALL_ACTIONS);
export type StallAction = z.infer<typeof StallActionSchema>;

const EnvValue = z
  .string()
  .max(10_000)
  .superRefine((v, ctx) => {
    const unknown = unknownPlaceholders(v);
    if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown variable {{${unknown[0]}}}; known: ${TEMPLATE_VARIABLES.join(', ')}` });
  });
const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name').max(128);
export const TemplateEnvSchema = z
  .record(EnvNameSchema, EnvValue)
  .refine((env) => Object.keys(env).length <= 200, 'at most 200 variables')
  .refine((env) => !Object.keys(env).some((k) => k.startsWith('BATON_')), 'BATON_* variables are set by Baton');

const ArgSchema = z
  .string()
  .max(4_000)
  .refine((a) => !/\{\{/.test(a), 'arguments are never interpolated: pass values as environment variables (e.g. "$BATON_TASK_TITLE")');

/** The real agents Baton has an adapter for (libs/agents): launch, home, signals, resume. */
export const AGENT_IDS = ['claude-code', 'codex', 'gemini', 'opencode'] as const;
export const AgentIdSchema = z.enum(AGENT_IDS);
export type AgentId = z.infer<typeof AgentIdSchema>;
/** `ask`: a permission prompt waits for a person (needs_input, approve/deny). `auto`: the agent's own unattended mode. */
export const PermissionModeSchema = z.enum(['ask', 'auto']);
export type PermissionMode = z.infer<typeof PermissionModeSchema>;

export const SessionTemplateSpecSchema = z
  .strictObject({
    name: NameSchema,
    description: z.string().max(2_000),
    /** `agent`: registers, reports, works tasks. `command`: a plain process (dev server, test watcher). */
    kind: z.enum(['agent', 'command']),
    /** Executed directly (no shell); a template that wants one says `["sh", "-c", "…"]` and reads variables from the environment. */
    argv: z.array(ArgSchema).min(1, 'name the program to run').max(100),
    env: TemplateEnvSchema,
    /**
     * Names in `env` whose values are secret besides those that look it (secret-env.ts):
     * write-only, every read shows the marker. Absent: none marked.
     */
    secretEnv: z.array(EnvNameSchema).max(200).optional(),
    /** Relative to the worktree (or the project's directory); null: its root. */
    workingDirectory: RelativePathSchema.nullable(),
    autoStart: z.boolean(),
    restart: RestartPolicySchema,
    /**
     * When the session counts as ready (spawning → idle for agents, → working for commands):
     * `agent`: it calls `baton register` (or its hooks do); `ready_pattern`: the output matched
     * `readyPattern`; `on_spawn`: as soon as the process runs.
     */
    registration: z.enum(['agent', 'ready_pattern', 'on_spawn']),
    /** Not ready after this long: failed. */
    registrationTimeoutMs: z.number().int().min(1_000).max(3_600_000),
    readyPattern: PatternSchema.nullable(),
    successPattern: PatternSchema.nullable(),
    errorPattern: PatternSchema.nullable(),
    quota: QuotaRuleSchema.nullable(),
    parsers: z.array(OutputParserSchema).max(50),
    stallAfterMs: z.number().int().min(1_000).max(86_400_000).nullable(),
    stallAction: StallActionSchema,
    copyFiles: z.array(RelativePathSchema).max(100),
    setupScript: z.string().max(20_000).nullable(),
    cleanupScript: z.string().max(20_000).nullable(),
    layout: z.enum(['tab', 'split']),
    /** Sessions of this template running at once anywhere (a shared credential); null: no cap. */
    maxConcurrent: z.number().int().positive().max(10_000).nullable(),
    /** Runners it may run on: every label must match. */
    runnerLabels: LabelsMapSchema,
    /** Generated agent hooks that report status and usage by themselves. */
    hooks: z.enum(['none', 'claude-code']),
    /**
     * A real agent Baton drives through its adapter: `argv[0]` names the program, the adapter
     * adds the rest (permission mode, resume, prompt) and prepares its home. null: argv as written.
     */
    agent: AgentIdSchema.nullable().default(null),
    permissionMode: PermissionModeSchema.default('ask'),
    /** The agent's model; null: its default. */
    model: z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9._:/@-]+$/, 'letters, digits and . _ : / @ - only').nullable().default(null),
  })
  .superRefine((t, ctx) => {
    if (t.registration === 'ready_pattern' && !t.readyPattern) ctx.addIssue({ code: 'custom', path: ['readyPattern'], message: 'registration by ready pattern needs a readyPattern' });
    if (t.restart.maxBackoffMs < t.restart.backoffMs) ctx.addIssue({ code: 'custom', path: ['restart', 'maxBackoffMs'], message: 'must be at least backoffMs' });
    if (t.hooks === 'claude-code' && t.kind !== 'agent') ctx.addIssue({ code: 'custom', path: ['hooks'], message: 'hooks are for agents' });
    if (t.agent && t.kind !== 'agent') ctx.addIssue({ code: 'custom', path: ['agent'], message: 'an agent adapter needs kind "agent"' });
    if (t.agent && t.registration !== 'agent') ctx.addIssue({ code: 'custom', path: ['registration'], message: 'an agent adapter registers through its own signals: use registration "agent"' });
  });
export type SessionTemplateSpec = z.infer<typeof SessionTemplateSpecSchema>;

/** The template a session runs, pinned when it is requested: later edits do not change it. */
export const TemplateSnapshotSchema = z.strictObject({
  version: z.number().int().positive(),
  builtIn: z.boolean(),
  spec: SessionTemplateSpecSchema,
});
export type TemplateSnapshot = z.infer<typeof TemplateSnapshotSchema>;
