/*
 * What a task asks of the demo agent, written into its title or description
 * (case-insensitive): `[fail]`, `[fail-once]`, `[ask]`, `[needs-input: <question>]`,
 * `[slow:<seconds>]`, `[long]`, `[spawn-workers:<n>]`, `[conflict]`, `[fast]`, `[plan]`,
 * `[quota]`. Anything else in brackets is just text.
 */

export interface Directives {
  fail: boolean;
  failOnce: boolean;
  /** The question to ask a person before going on; null: ask nothing. */
  ask: string | null;
  /** Seconds the work should take (progress every few seconds); null: the default pace. */
  slowSeconds: number | null;
  fast: boolean;
  spawnWorkers: number;
  conflict: boolean;
  plan: boolean;
  quota: boolean;
}

export const NO_DIRECTIVES: Directives = { fail: false, failOnce: false, ask: null, slowSeconds: null, fast: false, spawnWorkers: 0, conflict: false, plan: false, quota: false };

/** `[long]` runs this long. */
export const LONG_SECONDS = 120;
export const MAX_SLOW_SECONDS = 24 * 3600;
export const MAX_WORKERS = 20;

const TOKEN = /\[\s*([a-z][a-z-]*)\s*(?::\s*([^\]]*?))?\s*\]/gi;

export function parseDirectives(title: string, description = ''): Directives {
  const d: Directives = { ...NO_DIRECTIVES };
  for (const text of [title, description]) {
    for (const m of text.matchAll(TOKEN)) {
      const name = m[1].toLowerCase();
      const arg = m[2]?.trim() ?? '';
      switch (name) {
        case 'fail':
          d.fail = true;
          break;
        case 'fail-once':
          d.failOnce = true;
          break;
        case 'ask':
          d.ask ??= arg || `How should I go about "${stripDirectives(title) || 'this task'}"?`;
          break;
        case 'needs-input':
          d.ask = arg || d.ask || `What should I do next on "${stripDirectives(title) || 'this task'}"?`;
          break;
        case 'slow': {
          const s = Number(arg);
          if (/^\d+(\.\d+)?$/.test(arg) && s > 0) d.slowSeconds = Math.min(s, MAX_SLOW_SECONDS);
          break;
        }
        case 'long':
          d.slowSeconds = Math.max(d.slowSeconds ?? 0, LONG_SECONDS);
          break;
        case 'fast':
          d.fast = true;
          break;
        case 'spawn-workers': {
          const n = Number(arg || '2');
          if (/^\d+$/.test(arg || '2') && n > 0) d.spawnWorkers = Math.min(n, MAX_WORKERS);
          break;
        }
        case 'conflict':
          d.conflict = true;
          break;
        case 'plan':
          d.plan = true;
          break;
        case 'quota':
          d.quota = true;
          break;
        default:
          break;
      }
    }
  }
  return d;
}

/** The title without its directives: `Add login [fail]` → `Add login`. */
export function stripDirectives(text: string): string {
  return text.replace(TOKEN, '').replace(/\s{2,}/g, ' ').trim();
}

/** A file-name-safe slug: lower-case letters, digits and dashes only, never empty. */
export function slugify(text: string, fallback = 'task'): string {
  const slug = stripDirectives(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return slug || slugify(fallback, 'task').slice(0, 50) || 'task';
}

export interface PlanStep {
  /** 1-based, in the order written. */
  index: number;
  title: string;
  /** 1-based indexes of the steps it waits for. */
  dependsOn: number[];
}

/**
 * A `Plan:` block of the description: one step per list line (`-`, `*` or `1.`) until a
 * blank line. `(after 1, 2)` or `(depends on 1)` at a line's end makes it wait for those
 * steps; references to unknown or later steps are dropped (a plan cannot cycle).
 */
export function parsePlan(description: string): PlanStep[] {
  const lines = description.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s*(?:#+\s*)?plan\s*:?\s*$/i.test(l));
  if (start < 0) return [];
  const steps: PlanStep[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.trim()) {
      if (steps.length) break;
      continue;
    }
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (!item) break;
    let title = item[1].trim();
    let dependsOn: number[] = [];
    const dep = /\s*\((?:after|depends on|needs)\s+([^)]*)\)\s*$/i.exec(title);
    if (dep) {
      title = title.slice(0, dep.index).trim();
      dependsOn = [...dep[1].matchAll(/\d+/g)].map((m) => Number(m[0])).filter((n) => n >= 1 && n <= steps.length);
    }
    if (!title) continue;
    steps.push({ index: steps.length + 1, title: title.slice(0, 200), dependsOn: [...new Set(dependsOn)] });
  }
  return steps;
}
