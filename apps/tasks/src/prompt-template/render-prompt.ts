import { DomainError, type PromptVariable, type TaskDetails } from '@baton/events';

/** `{{ name }}` or `{{ task.title }}`; anything else in braces is plain text. */
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*\}\}/g;

/** Variables every template may use without declaring them. */
export const BUILT_IN_VARIABLES = [
  'task.id',
  'task.number',
  'task.title',
  'task.description',
  'task.acceptance_criteria',
  'task.labels',
  'task.priority',
  'task.execution_mode',
] as const;
const BUILT_IN: ReadonlySet<string> = new Set(BUILT_IN_VARIABLES);

export interface PromptTaskContext extends TaskDetails {
  id: string;
  number: number;
}

export function placeholdersOf(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Every placeholder is built in or declared; a version is refused otherwise. */
export function checkPlaceholders(body: string, variables: readonly PromptVariable[]): void {
  const declared = new Set(variables.map((v) => v.name));
  const unknown = placeholdersOf(body).filter((p) => !BUILT_IN.has(p) && !declared.has(p));
  if (unknown.length) {
    throw new DomainError('validation', `the template uses undeclared variable${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      variables: unknown,
    });
  }
}

function builtIn(task: PromptTaskContext): Map<string, string> {
  return new Map(Object.entries({
    'task.id': task.id,
    'task.number': String(task.number),
    'task.title': task.title,
    'task.description': task.description,
    'task.acceptance_criteria': task.acceptanceCriteria.map((c) => `- ${c}`).join('\n'),
    'task.labels': task.labels.join(', '),
    'task.priority': `P${task.priority}`,
    'task.execution_mode': task.executionMode,
  }));
}

/**
 * The prompt a version produces for a task. Values are substituted as plain text in one
 * pass: a value containing `{{x}}` or `$(rm -rf ~)` stays exactly that text, and nothing
 * here is ever given to a shell. A declared variable without a value or a default is a
 * 'validation' error naming it.
 */
export function renderPrompt(
  version: { body: string; variables: readonly PromptVariable[] },
  task: PromptTaskContext,
  values: Readonly<Record<string, string>> = {},
): string {
  const known = builtIn(task);
  const declared = new Map(version.variables.map((v) => [v.name, v]));
  const given = new Map(Object.entries(values));
  const used = new Set(placeholdersOf(version.body));
  const missing = [...declared.values()].filter((v) => !given.has(v.name) && v.default === null && used.has(v.name));
  if (missing.length) {
    throw new DomainError('validation', `prompt variable${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m.name}"`).join(', ')} ha${missing.length > 1 ? 've' : 's'} no value`, {
      variables: missing.map((m) => m.name),
    });
  }
  const extra = [...given.keys()].filter((k) => !declared.has(k));
  if (extra.length) {
    throw new DomainError('validation', `the template declares no variable${extra.length > 1 ? 's' : ''} ${extra.map((e) => `"${e}"`).join(', ')}`, { variables: extra });
  }
  return version.body.replace(PLACEHOLDER, (whole, name: string) => {
    const fixed = known.get(name);
    if (fixed !== undefined) return fixed;
    const v = declared.get(name);
    if (!v) throw new DomainError('validation', `the template uses undeclared variable "${name}"`, { variables: [name] });
    return given.get(name) ?? v.default ?? whole;
  });
}
