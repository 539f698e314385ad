import type { BlockingDependency } from '@baton/events';
import { byNumber, deriveWithin, descendantsOf, type Children, type Derived, type Graph, type GraphNode } from './graph';

/** A graph with the indexes a GraphState keeps (task-graph.state.ts). */
export interface IndexedGraph {
  tasks: Graph;
  children: Children;
  dependants: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The tasks of `after` whose own inputs a change from `before` may have changed, `touched`
 * being every task the change wrote or removed: the task itself; its old and new parent
 * (their children changed); when its parent or dependencies changed, its subtree (what the
 * subtree inherits changed); when it was removed, what depended on it and their subtrees.
 * These are also the only tasks that can have new wait edges (cycles.ts).
 */
export function changedAround(before: IndexedGraph, after: IndexedGraph, touched: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const add = (id: string | null | undefined) => {
    if (id !== null && id !== undefined && after.tasks.has(id)) out.add(id);
  };
  const addSubtree = (id: string) => {
    add(id);
    for (const d of descendantsOf(after.tasks, id, after.children)) out.add(d);
  };
  for (const id of touched) {
    const now = after.tasks.get(id);
    const was = before.tasks.get(id);
    if (now === was) continue;
    add(was?.parentId);
    add(now?.parentId);
    if (!now) {
      for (const d of after.dependants.get(id) ?? []) addSubtree(d);
      for (const c of after.children.get(id) ?? []) addSubtree(c);
      continue;
    }
    if (!was || was.parentId !== now.parentId || was.dependsOn !== now.dependsOn) addSubtree(id);
    else add(id);
  }
  return out;
}

/**
 * `seeds` and every task that waits on one of them, directly or not: a parent on its
 * children, a waiting task on its dependencies and on those of its ancestors. Nothing
 * outside the result waits on anything inside it.
 */
export function waitingOn(graph: IndexedGraph, seeds: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  const add = (id: string) => {
    if (out.has(id) || !graph.tasks.has(id)) return;
    out.add(id);
    stack.push(id);
  };
  const expanded = new Set<string>();
  for (const id of seeds) add(id);
  while (stack.length) {
    const id = stack.pop()!;
    const parent = graph.tasks.get(id)?.parentId;
    if (parent) add(parent);
    for (const dependant of graph.dependants.get(id) ?? []) {
      add(dependant);
      // Its subtree inherits the dependency; walked once, even if it was already in.
      if (expanded.has(dependant)) continue;
      expanded.add(dependant);
      for (const d of descendantsOf(graph.tasks, dependant, graph.children)) add(d);
    }
  }
  return out;
}

type RecordedNode = GraphNode & { blockedBy: BlockingDependency[] | null };

/** A task's status as recorded: under a settled state (decision.ts), also the derived one. */
export function recorded(node: RecordedNode): Derived {
  return node.blockedBy ? { status: node.status, blockedBy: node.blockedBy } : { status: node.status };
}

/**
 * `deriveStatuses(after)` for the part a change can move, in the same order: `before` must be
 * settled (every recorded status the derived one), then a task outside `waitingOn(changedAround)`
 * has the inputs it had, so its recorded status is still right, and none of them waits on one
 * inside, so the walk from the inside ones in task-number order meets them as the full walk does.
 */
export function deriveAround(
  before: IndexedGraph,
  after: Omit<IndexedGraph, 'tasks'> & { tasks: ReadonlyMap<string, RecordedNode> },
  touched: Iterable<string>,
): Map<string, Derived> {
  const scope = waitingOn(after, changedAround(before, after, touched));
  const starts = [...scope].sort(byNumber(after.tasks));
  return deriveWithin(after.tasks, after.children, starts, scope, (id) => recorded(after.tasks.get(id)!));
}
