import { PLACEHOLDER, type LaunchFile, type LaunchSpec, type SessionRole, type SessionTemplateSpec, type TemplateVariable } from '@baton/events';
import { claudeCodeSettings } from './claude-hooks';
import type { Manifest } from './manifest';

export interface LaunchContext {
  sessionId: string;
  role: SessionRole;
  name: string;
  projectId: string;
  attemptId: string | null;
  branch: string | null;
  parentSessionId: string | null;
  tasks: { id: string; title: string; description: string }[];
  /** The first prompt (the attempt's, the requester's or a follow-up); null: none. */
  prompt: string | null;
  apiUrl: string;
  /** Session-scoped token (its claims: `claimsForSession`). */
  token: string;
  /** Unique per running session on its runner (dev servers bind it). */
  port: number;
  projectEnv: Record<string, string>;
  manifest: Manifest;
}

/** Linux refuses one environment string above 128 KiB; the whole prompt is in its file anyway. */
const MAX_ENV_PROMPT_BYTES = 64 * 1024;

function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return `${bytes.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '')}\n[truncated: read $BATON_PROMPT_FILE]`;
}

function variables(ctx: LaunchContext): Record<TemplateVariable, string> {
  const task = ctx.tasks[0];
  return {
    'session.id': ctx.sessionId,
    'session.role': ctx.role,
    'session.name': ctx.name,
    'project.id': ctx.projectId,
    'task.id': task?.id ?? '',
    'task.title': task?.title ?? '',
    'task.description': task?.description ?? '',
    'attempt.id': ctx.attemptId ?? '',
    'attempt.branch': ctx.branch ?? '',
    'parent.id': ctx.parentSessionId ?? '',
    prompt: ctx.prompt ?? '',
  };
}

/** One pass, plain text: a value that itself looks like `{{x}}` or `$(…)` stays exactly that. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in vars ? vars[name] : whole));
}

/**
 * What a runner executes for a session: `argv` exactly as the template wrote it (never
 * interpolated), an environment where every value (task title, prompt, …) is data, and
 * the files it writes first into the session's directory (manifest, prompt, hook settings),
 * each exported as an absolute path in a `BATON_*` variable. Baton's own variables win
 * over the template's, which win over the project's.
 */
export function resolveLaunch(template: SessionTemplateSpec, ctx: LaunchContext): LaunchSpec {
  const vars = variables(ctx);
  const templateEnv = Object.fromEntries(Object.entries(template.env).map(([k, v]) => [k, substitute(v, vars)]));
  const prompt = ctx.prompt ?? '';
  const promptFile = prompt ? `${prompt.trimEnd()}\n\n---\n\n${ctx.manifest.markdown}` : ctx.manifest.markdown;
  const files: LaunchFile[] = [
    { path: 'manifest.md', content: ctx.manifest.markdown, mode: 0o644, exportAs: 'BATON_MANIFEST' },
    { path: 'manifest.json', content: ctx.manifest.json, mode: 0o644, exportAs: 'BATON_MANIFEST_JSON' },
    { path: 'prompt.md', content: promptFile, mode: 0o644, exportAs: 'BATON_PROMPT_FILE' },
  ];
  if (template.hooks === 'claude-code') files.push({ path: 'claude-settings.json', content: claudeCodeSettings(), mode: 0o644, exportAs: 'BATON_CLAUDE_SETTINGS' });
  const baton: Record<string, string> = {
    BATON_SESSION_ID: ctx.sessionId,
    BATON_API_URL: ctx.apiUrl,
    BATON_TOKEN: ctx.token,
    BATON_PROJECT_ID: ctx.projectId,
    BATON_ROLE: ctx.role,
    BATON_TASK_ID: vars['task.id'],
    BATON_TASK_IDS: ctx.tasks.map((t) => t.id).join(','),
    BATON_TASK_TITLE: vars['task.title'],
    BATON_ATTEMPT_ID: vars['attempt.id'],
    BATON_BRANCH: vars['attempt.branch'],
    BATON_PARENT_SESSION_ID: vars['parent.id'],
    BATON_PORT: String(ctx.port),
    BATON_PROMPT: truncateBytes(prompt, MAX_ENV_PROMPT_BYTES),
  };
  const projectEnv = Object.fromEntries(Object.entries(ctx.projectEnv).filter(([k]) => !k.startsWith('BATON_')));
  return {
    argv: [...template.argv],
    env: { ...projectEnv, ...templateEnv, ...baton },
    cwd: template.workingDirectory ?? '.',
    files,
  };
}
