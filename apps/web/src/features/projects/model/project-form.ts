import type { FieldIssue } from '../../../api/errors';
import type { CreateProjectRequest } from '../../../api/types';
import { mapFieldErrors, pathResolver } from '../../../shared/lib/field-errors';

/** What the New project form holds: strings, the way inputs hold them. */
export interface ProjectFormValues {
  name: string;
  location: string;
  defaultBranch: string;
  concurrencyLimit: string;
  /** `KEY=value` lines, like a .env file. */
  env: string;
}

export type ProjectFormField = keyof ProjectFormValues;
export type ProjectFormErrors = Partial<Record<ProjectFormField, string>>;

export const emptyProjectForm = (): ProjectFormValues => ({ name: '', location: '', defaultBranch: 'main', concurrencyLimit: '', env: '' });

/** Which input owns which path of the API's field issues. */
const resolveProjectPath = pathResolver<ProjectFormField>({
  name: 'name',
  repository: 'location',
  'repository.location': 'location',
  'repository.defaultBranch': 'defaultBranch',
  concurrencyLimit: 'concurrencyLimit',
  env: 'env',
});

export function projectFieldErrors(fields: readonly FieldIssue[]): { byField: ProjectFormErrors; unmatched: FieldIssue[] } {
  return mapFieldErrors(fields, resolveProjectPath);
}

/**
 * Parses `KEY=value` lines. Blank lines and `#` comments are skipped; the value is everything
 * after the first `=`, kept verbatim. Names are checked by the API, which names the bad one.
 */
export function parseEnvLines(text: string): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = lines[i].indexOf('=');
    if (eq <= 0) return { error: `Line ${i + 1}: expected KEY=value` };
    const key = lines[i].slice(0, eq).trim();
    if (Object.hasOwn(env, key)) return { error: `Line ${i + 1}: ${key} is set twice` };
    env[key] = lines[i].slice(eq + 1);
  }
  return { env };
}

/**
 * Turns the form into the request body. Only what the API cannot be told is checked here
 * (text in a number box, a malformed env line); every other rule is the API's, shown where
 * it points. A blank branch means the API's default.
 */
export function toCreateProjectRequest(v: ProjectFormValues): { request: CreateProjectRequest } | { errors: ProjectFormErrors } {
  const errors: ProjectFormErrors = {};
  let concurrencyLimit: number | null = null;
  const limit = v.concurrencyLimit.trim();
  if (limit) {
    const n = Number(limit);
    if (!Number.isFinite(n)) errors.concurrencyLimit = 'Must be a whole number, or empty for no limit';
    else concurrencyLimit = n;
  }
  const env = parseEnvLines(v.env);
  if ('error' in env) errors.env = env.error;
  if (Object.keys(errors).length || 'error' in env) return { errors };
  const branch = v.defaultBranch.trim();
  return {
    request: {
      name: v.name,
      repository: branch ? { location: v.location, defaultBranch: branch } : { location: v.location },
      concurrencyLimit,
      ...(Object.keys(env.env).length ? { env: env.env } : {}),
    },
  };
}
