import type { z } from 'zod';

/** Flattens zod issues into `{ path: 'a.b[0]', message }`, the shape every edge reports. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
    if (keys && keys.length) {
      return { path: keys.map((k) => (path ? `${path}.${k}` : k)).join(', '), message: `unknown field${keys.length > 1 ? 's' : ''}` };
    }
    return { path: path || '(root)', message: issue.message };
  });
}
