import { z } from 'zod';
import {
  AcceptanceCriteriaSchema,
  DependencyConditionSchema,
  ExecutionModeSchema,
  IdSchema,
  LabelsSchema,
  NameSchema,
  PrioritySchema,
  TextSchema,
  type AddTaskDependency,
  type CommandDataOf,
  type CreateTask,
  type Dependency,
  type TaskDetails,
} from '@baton/events';
import { CommandAccepted, MinSeq } from './common';

/*
 * A project's plan as JSON (docs/decisions/0004): the tree, the DAG and every task's details,
 * named by refs local to the document. The document is a contract between the gateway, the
 * CLI and the web app; importing one is planned here, purely, so a bad document sends nothing.
 */

const RefSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"');

export interface ExportedTask extends TaskDetails {
  ref: string;
  dependsOn: { ref: string; condition: Dependency['condition'] }[];
  children: ExportedTask[];
}

export const ExportedTaskSchema: z.ZodType<ExportedTask> = z
  .strictObject({
    ref: RefSchema,
    title: NameSchema,
    description: TextSchema,
    acceptanceCriteria: AcceptanceCriteriaSchema,
    priority: PrioritySchema,
    labels: LabelsSchema,
    executionMode: ExecutionModeSchema,
    dependsOn: z.array(z.strictObject({ ref: RefSchema, condition: DependencyConditionSchema })).max(100),
    get children(): z.ZodArray<z.ZodType<ExportedTask>> {
      return z.array(ExportedTaskSchema);
    },
  })
  .meta({ title: 'ExportedTask' });

export const TaskTreeSchema = z.strictObject({
  format: z.literal('baton.task-tree'),
  version: z.literal(1),
  tasks: z.array(ExportedTaskSchema),
});
export type TaskTree = z.infer<typeof TaskTreeSchema>;

export const ImportQuery = z.strictObject({
  parentId: IdSchema.optional().describe('Import under this task instead of at the top level.'),
  minSeq: MinSeq,
});
export const ImportAccepted = CommandAccepted.extend({
  tasks: z.array(z.strictObject({ ref: z.string(), id: z.string() })).describe("Each document ref and the id of the task made for it, in the document's order."),
  commands: z.number().int(),
});
export type ImportAccepted = z.output<typeof ImportAccepted>;

export type ImportCommand =
  | { type: 'task.create'; data: CommandDataOf<typeof CreateTask> }
  | { type: 'task.add_dependency'; data: CommandDataOf<typeof AddTaskDependency> };

export type ImportPlan = { ok: true; commands: ImportCommand[]; refs: string[] } | { ok: false; issues: { path: string; message: string }[] };

interface Placed {
  task: ExportedTask;
  parentRef: string | null;
  /** JSON path of the task in the document, e.g. `tasks[0].children[1]`. */
  path: string;
}

/**
 * The commands that rebuild `tree` in a project: creates in pre-order (parents first, with
 * the dependencies already created), then the remaining dependencies. Refs must be unique,
 * dependencies known, and the waits-for graph (own and inherited dependencies, parent →
 * subtask) free of cycles — else the issues, each with its path in the document.
 */
export function planTreeImport(tree: TaskTree, opts: { projectId: string; parentId?: string | null; idFor: (ref: string) => string }): ImportPlan {
  const flat: Placed[] = [];
  const walk = (tasks: ExportedTask[], parentRef: string | null, at: string) =>
    tasks.forEach((task, i) => {
      const path = `${at}[${i}]`;
      flat.push({ task, parentRef, path });
      walk(task.children, task.ref, `${path}.children`);
    });
  walk(tree.tasks, null, 'tasks');

  const issues: { path: string; message: string }[] = [];
  const position = new Map<string, number>();
  for (const [i, { task, path }] of flat.entries()) {
    if (position.has(task.ref)) issues.push({ path: `${path}.ref`, message: `ref "${task.ref}" is used twice` });
    else position.set(task.ref, i);
  }
  for (const { task, path } of flat) {
    const seen = new Set<string>();
    task.dependsOn.forEach((d, j) => {
      const at = `${path}.dependsOn[${j}].ref`;
      if (!position.has(d.ref)) issues.push({ path: at, message: `unknown ref "${d.ref}"` });
      else if (d.ref === task.ref) issues.push({ path: at, message: 'a task cannot depend on itself' });
      else if (seen.has(d.ref)) issues.push({ path: at, message: `"${d.ref}" is listed twice` });
      seen.add(d.ref);
    });
  }
  if (issues.length) return { ok: false, issues };
  const cycle = findCycle(flat);
  if (cycle) return { ok: false, issues: [{ path: flat[position.get(cycle.start)!].path, message: `dependency cycle: ${cycle.text}` }] };

  const creates: ImportCommand[] = [];
  const later: ImportCommand[] = [];
  for (const [i, { task, parentRef }] of flat.entries()) {
    const taskId = opts.idFor(task.ref);
    creates.push({
      type: 'task.create',
      data: {
        projectId: opts.projectId,
        taskId,
        parentId: parentRef === null ? (opts.parentId ?? null) : opts.idFor(parentRef),
        title: task.title,
        description: task.description,
        acceptanceCriteria: task.acceptanceCriteria,
        priority: task.priority,
        labels: task.labels,
        executionMode: task.executionMode,
        dependsOn: task.dependsOn.filter((d) => position.get(d.ref)! < i).map((d) => ({ taskId: opts.idFor(d.ref), condition: d.condition })),
      },
    });
    for (const d of task.dependsOn.filter((x) => position.get(x.ref)! > i)) {
      later.push({ type: 'task.add_dependency', data: { projectId: opts.projectId, taskId, dependsOnTaskId: opts.idFor(d.ref), condition: d.condition } });
    }
  }
  return { ok: true, commands: [...creates, ...later], refs: flat.map((p) => p.task.ref) };
}

interface WaitEdge {
  to: string;
  kind: 'depends on' | 'has subtask' | 'inherits';
  via?: string;
}

/**
 * A cycle of "waits for" among the document's tasks, or null. A task waits for its
 * dependencies, for its ancestors' dependencies (inherited), and — as a parent — for its
 * subtasks (its status rolls up from them). Described the way the tasks service does.
 */
function findCycle(flat: readonly Placed[]): { start: string; text: string } | null {
  const parent = new Map(flat.map((p) => [p.task.ref, p.parentRef]));
  const deps = new Map(flat.map((p) => [p.task.ref, p.task.dependsOn.map((d) => d.ref)]));
  const edges = new Map<string, WaitEdge[]>();
  for (const { task, parentRef } of flat) {
    const out: WaitEdge[] = deps.get(task.ref)!.map((to) => ({ to, kind: 'depends on' as const }));
    out.push(...task.children.map((c) => ({ to: c.ref, kind: 'has subtask' as const })));
    for (let a = parentRef; a !== null; a = parent.get(a) ?? null) out.push(...deps.get(a)!.map((to) => ({ to, kind: 'inherits' as const, via: a! })));
    edges.set(task.ref, out);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: { ref: string; edge?: WaitEdge }[] = [];
  const visit = (ref: string, edge?: WaitEdge): { ref: string; edge?: WaitEdge }[] | null => {
    state.set(ref, 'open');
    stack.push({ ref, edge });
    for (const next of edges.get(ref) ?? []) {
      if (state.get(next.to) === 'open') return [...stack.slice(stack.findIndex((s) => s.ref === next.to)), { ref: next.to, edge: next }];
      if (!state.has(next.to)) {
        const found = visit(next.to, next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(ref, 'done');
    return null;
  };
  for (const { task } of flat) {
    if (state.has(task.ref)) continue;
    const found = visit(task.ref);
    if (!found) continue;
    const steps = found.slice(1).map((s, i) => {
      const from = found[i].ref;
      return s.edge!.kind === 'inherits' ? `${from} inherits ${s.edge!.via}'s dependency on ${s.ref}` : `${from} ${s.edge!.kind} ${s.ref}`;
    });
    return { start: found[0].ref, text: `${found.map((s) => s.ref).join(' → ')} (${steps.join('; ')})` };
  }
  return null;
}
