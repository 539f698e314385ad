import type { AutopilotStatus } from '@baton/contracts';

/** Tasks in tree order (parents before their children), each with its depth. */
export function dagRows(tasks: AutopilotStatus['tasks']): { task: AutopilotStatus['tasks'][number]; depth: number }[] {
  const ids = new Set(tasks.map((t) => t.taskId));
  const children = new Map<string | null, AutopilotStatus['tasks']>();
  for (const t of tasks) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const out: { task: AutopilotStatus['tasks'][number]; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const t of children.get(parent) ?? []) {
      out.push({ task: t, depth });
      walk(t.taskId, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
