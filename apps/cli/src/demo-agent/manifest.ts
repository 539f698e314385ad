import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from '../api-client';
import type { Env } from '../context';

/*
 * The session's manifest as the runner writes it (apps/sessions/src/launch/manifest.ts):
 * JSON beside the Markdown. Read leniently: what the demo agent needs is checked, the
 * rest may grow without breaking it.
 */
const TaskSchema = z.object({
  id: z.string().min(1),
  title: z.string().default(''),
  description: z.string().default(''),
  acceptanceCriteria: z.array(z.string()).default([]),
});

const ManifestSchema = z.object({
  version: z.number().optional(),
  session: z.object({
    id: z.string().min(1),
    name: z.string().default(''),
    role: z.string().default('worker'),
    strategy: z.enum(['simple', 'queue']).default('simple'),
    templateId: z.string().default('baton-demo-agent'),
    templateName: z.string().default(''),
  }),
  project: z.object({ id: z.string().min(1), name: z.string().default('') }),
  attempt: z.object({ id: z.string(), branch: z.string().default(''), baseBranch: z.string().default(''), number: z.number().int().optional() }).nullable().default(null),
  parent: z.object({ id: z.string(), name: z.string().default('') }).nullable().default(null),
  tasks: z.array(TaskSchema).default([]),
  api: z.object({ url: z.string().optional(), tokenEnv: z.string().optional(), sessionEnv: z.string().optional() }).partial().default({}),
  reporting: z.array(z.object({ command: z.string(), when: z.string() })).default([]),
});

export type DemoManifest = z.output<typeof ManifestSchema>;
export type ManifestTask = z.output<typeof TaskSchema>;

/**
 * Which file: `--manifest`, else BATON_MANIFEST_JSON, else BATON_MANIFEST — which the runner
 * points at the Markdown, so a `.md` path is swapped for the `manifest.json` beside it.
 */
export function manifestPath(env: Env, explicit?: string): string {
  const given = explicit || env.BATON_MANIFEST_JSON || env.BATON_MANIFEST;
  if (!given) throw new CliError('no manifest: set BATON_MANIFEST (or BATON_MANIFEST_JSON), or pass --manifest <file>', 2);
  if (/\.md$/i.test(given) && !explicit) {
    const json = join(dirname(given), 'manifest.json');
    if (existsSync(json)) return json;
  }
  return given;
}

export function parseManifest(text: string, where = 'the manifest'): DemoManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${where} is not JSON: ${(e as Error).message}`, 2);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new CliError(`${where} is not a Baton manifest:\n${issues}`, 2);
  }
  return parsed.data;
}

export function readManifest(env: Env, explicit?: string): DemoManifest {
  const path = manifestPath(env, explicit);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the manifest ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
  return parseManifest(text, `the manifest ${path}`);
}
