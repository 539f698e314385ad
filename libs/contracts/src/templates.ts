import { z } from 'zod';
import {
  DEFAULT_SECRET_ENV_NAME,
  IdSchema,
  LabelsMapSchema,
  NameSchema,
  OutputParserSchema,
  PatternSchema,
  QuotaRuleSchema,
  RelativePathSchema,
  RestartPolicySchema,
  SECRET_ENV_MARKER,
  SessionTemplateSpecSchema,
  StallActionSchema,
  TemplateEnvSchema,
} from '@baton/events';
import { MinSeq } from './common';

/*
 * Session templates (apps/gateway/src/templates): built-ins (code, read only), the
 * installation's (projectId null) and a project's own. Defining one again with a changed
 * spec adds a version; sessions keep the version they were requested with.
 */

const shape = SessionTemplateSpecSchema.shape;

/**
 * A spec as people write it: `name` and `argv` are required, everything else has the
 * default a plain template would want. `registration` defaults by kind (an agent registers,
 * a command is ready once it runs). The result is checked against the full spec.
 */
export const TemplateSpecInput = z
  .strictObject({
    name: NameSchema,
    description: shape.description.default(''),
    kind: shape.kind.default('agent'),
    argv: shape.argv,
    env: TemplateEnvSchema.default({}).describe(
      `Values may use {{variables}}. A secret value (its name in secretEnv, or matching ${DEFAULT_SECRET_ENV_NAME}) is write-only: reads show "${SECRET_ENV_MARKER}", and "${SECRET_ENV_MARKER}" sent back keeps the stored value.`,
    ),
    secretEnv: shape.secretEnv.describe('Names in env whose values are secret, besides those that look it; a name here without a value in env keeps its stored value.'),
    workingDirectory: RelativePathSchema.nullable().default(null),
    autoStart: z.boolean().default(false),
    restart: RestartPolicySchema.default({ mode: 'never', backoffMs: 2_000, maxBackoffMs: 60_000, maxRestarts: 0, resetAfterMs: null }),
    registration: shape.registration.optional().describe('Default: `agent` for agents, `on_spawn` for commands.'),
    registrationTimeoutMs: shape.registrationTimeoutMs.default(120_000),
    readyPattern: PatternSchema.nullable().default(null),
    successPattern: PatternSchema.nullable().default(null),
    errorPattern: PatternSchema.nullable().default(null),
    quota: QuotaRuleSchema.nullable().default(null),
    parsers: z.array(OutputParserSchema).max(50).default([]),
    stallAfterMs: shape.stallAfterMs.default(null),
    stallAction: StallActionSchema.default('notify'),
    copyFiles: z.array(RelativePathSchema).max(100).default([]),
    setupScript: shape.setupScript.default(null),
    cleanupScript: shape.cleanupScript.default(null),
    layout: shape.layout.default('tab'),
    maxConcurrent: shape.maxConcurrent.default(null),
    runnerLabels: LabelsMapSchema.default({}),
    hooks: shape.hooks.default('none'),
    // Optional here; the spec's own defaults fill them (null, 'ask', null).
    agent: shape.agent.unwrap().optional(),
    permissionMode: shape.permissionMode.unwrap().optional(),
    model: shape.model.unwrap().optional(),
  })
  .transform((s) => ({ ...s, registration: s.registration ?? (s.kind === 'command' ? ('on_spawn' as const) : ('agent' as const)) }))
  .pipe(SessionTemplateSpecSchema);

/** POST /api/session-templates — `session_template.define`: creates it, or adds a version when the spec changed. */
export const DefineTemplateRequest = z.strictObject({
  id: IdSchema.optional().describe('The template\'s id (to add a version, or to choose it); absent: a new id. Built-in ids are reserved.'),
  projectId: IdSchema.nullable().default(null).describe("The project it belongs to; null: every project's."),
  spec: TemplateSpecInput,
});
export type DefineTemplateRequest = z.input<typeof DefineTemplateRequest>;

export const ListTemplatesQuery = z.strictObject({
  projectId: IdSchema.optional().describe("Also the project's own templates."),
  minSeq: MinSeq,
});
/** A project's template is found only with its projectId. */
export const GetTemplateQuery = ListTemplatesQuery;
export const ProjectTemplatesQuery = z.strictObject({ minSeq: MinSeq });

export const TemplateView = z.strictObject({
  id: z.string(),
  projectId: z.string().nullable(),
  builtIn: z.boolean(),
  version: z.number().int(),
  name: z.string(),
  kind: z.enum(['agent', 'command']),
  autoStart: z.boolean(),
  layout: z.enum(['tab', 'split']),
  maxConcurrent: z.number().int().nullable(),
  redactedEnv: z.array(z.string()).describe(`Names in spec.env whose values are secret: they read as "${SECRET_ENV_MARKER}", never as themselves.`),
  spec: SessionTemplateSpecSchema,
});
export type TemplateView = z.output<typeof TemplateView>;
export const TemplateList = z.array(TemplateView);
