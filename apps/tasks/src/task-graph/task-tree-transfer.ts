import { DomainError, describeIssues, type TaskDetails } from '@baton/events';
import { planTreeImport, TaskTreeSchema, type ExportedTask, type ImportCommand, type TaskTree } from '@baton/contracts';
import type { GraphNode } from './graph';

/*
 * A project's plan as JSON: the tree, the DAG and every task's details. Tasks are named
 * by refs local to the document (t1, t2… in tree order), so a tree imports into any
 * project and exports again to the very same document. Statuses, attempts and history
 * are not part of a plan (history exports as Markdown).
 */

// The document's shape and the import plan live in @baton/contracts: the gateway checks a
// document with the very rules the tasks service would apply.
export { ExportedTaskSchema, TaskTreeSchema, type ExportedTask, type ImportCommand, type TaskTree } from '@baton/contracts';

/** What export needs of a task: read-model rows and graph nodes both fit. */
export type TreeRow = Pick<GraphNode, 'id' | 'number' | 'parentId' | 'dependsOn'> & TaskDetails;

export function exportTree(rows: readonly TreeRow[]): TaskTree {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const children = new Map<string | null, TreeRow[]>();
  for (const r of rows) {
    const parent = r.parentId !== null && byId.has(r.parentId) ? r.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  for (const list of children.values()) list.sort((a, b) => a.number - b.number);
  const order: TreeRow[] = [];
  const walk = (parent: string | null) => {
    for (const r of children.get(parent) ?? []) {
      order.push(r);
      walk(r.id);
    }
  };
  walk(null);
  const index = new Map(order.map((r, i) => [r.id, i]));
  const ref = (id: string) => `t${index.get(id)! + 1}`;
  const build = (r: TreeRow): ExportedTask => ({
    ref: ref(r.id),
    title: r.title,
    description: r.description,
    acceptanceCriteria: [...r.acceptanceCriteria],
    priority: r.priority,
    labels: [...r.labels],
    executionMode: r.executionMode,
    // A dependency outside the exported rows cannot be named by a ref: it is left out.
    dependsOn: r.dependsOn
      .filter((d) => index.has(d.taskId))
      .sort((a, b) => index.get(a.taskId)! - index.get(b.taskId)!)
      .map((d) => ({ ref: ref(d.taskId), condition: d.condition })),
    children: (children.get(r.id) ?? []).map(build),
  });
  return { format: 'baton.task-tree', version: 1, tasks: (children.get(null) ?? []).map(build) };
}

/**
 * The commands that rebuild `doc` in a project: creates in tree order (parents first,
 * with the dependencies already created), then the remaining dependencies. The whole
 * document is checked first (refs, dependencies, cycles), so a bad one sends nothing.
 */
export function importCommands(doc: unknown, opts: { projectId: string; parentId?: string | null; idFor: (ref: string) => string }): ImportCommand[] {
  const parsed = TaskTreeSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new DomainError('validation', `not a task tree: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { issues });
  }
  const plan = planTreeImport(parsed.data, opts);
  if (!plan.ok) throw new DomainError('validation', plan.issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues: plan.issues });
  return plan.commands;
}
