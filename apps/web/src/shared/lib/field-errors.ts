import type { FieldIssue } from '../../api/errors';

export interface MappedFieldErrors<K extends string> {
  /** The first message for each input, ready to show under it. */
  byField: Partial<Record<K, string>>;
  /** Issues no input owns (an unknown field, a header): shown above the form. */
  unmatched: FieldIssue[];
}

/** "must not be empty" → "Must not be empty". */
export function sentence(message: string): string {
  const m = message.trim();
  return m ? m[0].toUpperCase() + m.slice(1) : m;
}

/**
 * Puts each API field issue at the input that owns its path. `resolve` maps a path such as
 * `repository.location` or `env.BAD NAME` to an input key (or nothing); a path below the
 * input's own (`env.BAD NAME` under `env`) keeps its tail in the message so it stays useful.
 */
export function mapFieldErrors<K extends string>(fields: readonly FieldIssue[], resolve: (path: string) => { field: K; subject?: string } | undefined): MappedFieldErrors<K> {
  const byField: Partial<Record<K, string>> = {};
  const unmatched: FieldIssue[] = [];
  for (const issue of fields) {
    const hit = resolve(issue.path);
    if (!hit) {
      unmatched.push(issue);
      continue;
    }
    if (byField[hit.field] !== undefined) continue;
    byField[hit.field] = hit.subject ? `${hit.subject}: ${issue.message}` : sentence(issue.message);
  }
  return { byField, unmatched };
}

/** A resolver from a table of exact paths and path prefixes (`env` also owns `env.X`). */
export function pathResolver<K extends string>(table: Record<string, K>): (path: string) => { field: K; subject?: string } | undefined {
  return (path) => {
    if (Object.hasOwn(table, path)) return { field: table[path] };
    const prefix = Object.keys(table)
      .filter((p) => path.startsWith(`${p}.`) || path.startsWith(`${p}[`))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix === undefined) return undefined;
    const subject = path.slice(prefix.length).replace(/^\./, '');
    return { field: table[prefix], subject };
  };
}
