import type { FieldIssue } from './api-error';

/**
 * Nesting no body of ours comes near (a task tree 49 levels deep; Ruby's JSON parser stops at
 * the same 100). Deeper input is refused before any schema or handler walks it recursively.
 */
export const MAX_BODY_DEPTH = 100;
/** A stray body's keys named in the answer, at most. */
const MAX_NAMED_FIELDS = 20;

/** True when `value` nests objects or arrays more than `max` levels deep. Iterative: depth cannot overflow the stack. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * What is wrong with a parsed request body before its route's schema sees it: too deep for
 * any route, or present on a route that takes none. No body, or `{}` (what many clients send
 * with every POST), is no body.
 */
export function bodyIssues(body: unknown, takesBody: boolean): FieldIssue[] {
  if (body === undefined) return [];
  if (nestedDeeperThan(body, MAX_BODY_DEPTH)) return [{ path: '(body)', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }];
  if (takesBody) return [];
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    return Object.keys(body)
      .slice(0, MAX_NAMED_FIELDS)
      .map((path) => ({ path, message: 'unknown field: this route takes no body' }));
  }
  return [{ path: '(body)', message: 'this route takes no body' }];
}
