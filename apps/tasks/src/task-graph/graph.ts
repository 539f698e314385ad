import type { BlockingDependency, Dependency, DependencyCondition, TaskStatus } from '@baton/events';

/**
 * The task graph as the pure functions below see it: the same shape whether it comes
 * from the project aggregate's state or from read-model rows.
 */
export interface GraphNode {
  id: string;
  number: number;
  parentId: string | null;
  dependsOn: readonly Dependency[];
  status: TaskStatus;
}
export type Graph = ReadonlyMap<string, GraphNode>;
/** Parent → children in task-number order: `childrenIndex(graph)`, or the index a GraphState keeps. */
export type Children = ReadonlyMap<string, readonly string[]>;

/** Set by work on the task itself (attempts, people); kept until work or a person changes them. */
export const STICKY_STATUSES: ReadonlySet<TaskStatus> = new Set(['in_progress', 'in_review', 'done', 'failed', 'cancelled']);
export const FINISHED_STATUSES: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'cancelled']);

/** The dependency is satisfied. */
export function conditionMet(condition: DependencyCondition, status: TaskStatus): boolean {
  switch (condition) {
    case 'success':
      return status === 'done';
    case 'failure':
      return status === 'failed';
    case 'any':
      return FINISHED_STATUSES.has(status);
    default: {
      const unknown: never = condition;
      return unknown;
    }
  }
}

/** The dependency finished in a way its condition does not accept; it holds until the dependency is reopened. */
export function conditionBroken(condition: DependencyCondition, status: TaskStatus): boolean {
  switch (condition) {
    case 'success':
      return status === 'failed' || status === 'cancelled';
    case 'failure':
      return status === 'done' || status === 'cancelled';
    case 'any':
      return false;
    default: {
      const unknown: never = condition;
      return unknown;
    }
  }
}

/** Compares task ids by task number (an unknown id as 0). */
export const byNumber = (g: Graph) => (a: string, b: string) => (g.get(a)?.number ?? 0) - (g.get(b)?.number ?? 0);

/** Children of every task, in task-number order. */
export function childrenIndex(graph: Graph): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const node of graph.values()) {
    if (node.parentId === null) continue;
    const list = index.get(node.parentId) ?? [];
    list.push(node.id);
    index.set(node.parentId, list);
  }
  for (const list of index.values()) list.sort(byNumber(graph));
  return index;
}

/** Parent first, then grandparent, up to the root. */
export function ancestorsOf(graph: Graph, id: string): string[] {
  const out: string[] = [];
  const seen = new Set([id]);
  for (let p = graph.get(id)?.parentId ?? null; p !== null && !seen.has(p); p = graph.get(p)?.parentId ?? null) {
    out.push(p);
    seen.add(p);
  }
  return out;
}

/** Depth-first, pre-order, siblings by number; the task itself excluded. */
export function descendantsOf(graph: Graph, id: string, children: Children = childrenIndex(graph)): string[] {
  const out: string[] = [];
  const walk = (n: string) => {
    for (const c of children.get(n) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(id);
  return out;
}

/** A task's dependencies and those of its ancestors: a parent's dependency holds for its whole subtree. */
export function effectiveDependencies(graph: Graph, id: string): (Dependency & { via: string | null })[] {
  const own = (graph.get(id)?.dependsOn ?? []).map((d) => ({ ...d, via: null }));
  const inherited = ancestorsOf(graph, id).flatMap((a) => (graph.get(a)?.dependsOn ?? []).map((d) => ({ ...d, via: a })));
  return [...own, ...inherited];
}

export interface Derived {
  status: TaskStatus;
  /** Present when `status` is `blocked`. */
  blockedBy?: BlockingDependency[];
}

/** A parent's status from its children's (DESIGN: "parent status rolls up from children"). */
export function rollUp(children: readonly Derived[]): Derived {
  const all = children.map((c) => c.status);
  if (all.every((s) => s === 'cancelled')) return { status: 'cancelled' };
  const live = children.filter((c) => c.status !== 'cancelled');
  const every = (...ss: TaskStatus[]) => live.every((c) => ss.includes(c.status));
  const some = (...ss: TaskStatus[]) => live.some((c) => ss.includes(c.status));
  if (every('done')) return { status: 'done' };
  if (every('done', 'failed')) return { status: 'failed' };
  if (some('in_progress')) return { status: 'in_progress' };
  if (every('done', 'failed', 'in_review')) return { status: 'in_review' };
  if (some('in_review', 'done', 'failed')) return { status: 'in_progress' };
  if (some('ready')) return { status: 'ready' };
  if (some('blocked')) {
    const blockedBy = new Map<string, BlockingDependency>();
    for (const c of live) for (const b of c.blockedBy ?? []) if (!blockedBy.has(b.taskId)) blockedBy.set(b.taskId, b);
    return { status: 'blocked', blockedBy: [...blockedBy.values()] };
  }
  return { status: 'todo' };
}

/**
 * Every task's status as the rules say it must be now. Leaves keep a sticky status;
 * waiting leaves are ready when ALL effective dependencies met their condition and
 * blocked when one can no longer meet it; parents roll up. The graph must be free of
 * cycles (see cycles.ts); the result's insertion order puts what a task waits on first.
 */
export function deriveStatuses(graph: Graph, children: Children = childrenIndex(graph)): Map<string, Derived> {
  return deriveWithin(graph, children, [...graph.keys()].sort(byNumber(graph)));
}

/**
 * `deriveStatuses` restricted to `scope` (tasks visited from `starts`, taken in task-number
 * order): a task outside it is read as `outside(id)`, its recorded status, and left out of
 * the result. When nothing outside `scope` waits (directly or not) for a task in it, the
 * result's order is `deriveStatuses`'s restricted to `scope`: a task outside never leads the
 * walk to one inside, so leaving it out moves none of them.
 */
export function deriveWithin(
  graph: Graph,
  children: Children,
  starts: readonly string[],
  scope?: ReadonlySet<string>,
  outside: (id: string) => Derived = () => ({ status: 'todo' }),
): Map<string, Derived> {
  const out = new Map<string, Derived>();
  const visiting = new Set<string>();
  const visit = (id: string): Derived => {
    const done = out.get(id);
    if (done) return done;
    if (!graph.has(id)) return { status: 'todo' };
    if (scope && !scope.has(id)) return outside(id);
    if (visiting.has(id)) throw new Error(`task graph has a cycle through ${id}`);
    visiting.add(id);
    const result = deriveOne(graph, children, id, visit);
    visiting.delete(id);
    out.set(id, result);
    return result;
  };
  for (const id of starts) visit(id);
  return out;
}

/** One task's status from what it waits on, read through `read` (children first, then dependencies, in order). */
export function deriveOne(graph: Graph, children: Children, id: string, read: (id: string) => Derived): Derived {
  const node = graph.get(id);
  if (!node) return { status: 'todo' };
  const kids = children.get(id) ?? [];
  if (kids.length) return rollUp(kids.map(read));
  if (STICKY_STATUSES.has(node.status)) return { status: node.status };
  const blockedBy: BlockingDependency[] = [];
  let allMet = true;
  for (const d of effectiveDependencies(graph, id)) {
    const target = graph.has(d.taskId) ? read(d.taskId).status : 'cancelled';
    if (conditionBroken(d.condition, target)) blockedBy.push({ taskId: d.taskId, condition: d.condition, status: target, via: d.via });
    if (!conditionMet(d.condition, target)) allMet = false;
  }
  return blockedBy.length ? { status: 'blocked', blockedBy } : { status: allMet ? 'ready' : 'todo' };
}

/** Leaves a task's status stands for: itself, or for a parent every unfinished leaf below it. */
function workLeaves(graph: Graph, id: string, children: Children): string[] {
  if (!(children.get(id) ?? []).length) return [id];
  return descendantsOf(graph, id, children).filter((d) => !(children.get(d) ?? []).length && !FINISHED_STATUSES.has(graph.get(d)?.status ?? 'done'));
}

/**
 * "What would finishing this task unblock": the tasks that would become ready if
 * `taskId` ended as `done` (or as `failed`, for failure-conditioned dependants).
 */
export function wouldUnblock(graph: Graph, taskId: string, as: 'done' | 'failed' = 'done'): string[] {
  if (!graph.has(taskId)) return [];
  const children = childrenIndex(graph);
  const now = deriveStatuses(graph, children);
  const finishing = new Set(workLeaves(graph, taskId, children));
  const after = new Map(graph);
  for (const id of finishing) after.set(id, { ...graph.get(id)!, status: as });
  const then = deriveStatuses(after, children);
  const subtree = new Set([taskId, ...descendantsOf(graph, taskId, children)]);
  return [...then.entries()]
    .filter(([id, d]) => !subtree.has(id) && d.status === 'ready' && now.get(id)?.status !== 'ready')
    .map(([id]) => id)
    .sort(byNumber(graph));
}
