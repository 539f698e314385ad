import type { BlockingDependency } from '@baton/events';
import { byNumber, deriveOne, deriveWithin, descendantsOf, type Children, type Derived, type Graph, type GraphNode } from './graph';

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
type RecordedGraph = Omit<IndexedGraph, 'tasks'> & { tasks: ReadonlyMap<string, RecordedNode> };

/** A task's status as recorded (a task not recorded yet is `todo`): under a settled state, also the derived one. */
export function recorded(node: RecordedNode | undefined): Derived {
  if (!node) return { status: 'todo' };
  return node.blockedBy ? { status: node.status, blockedBy: node.blockedBy } : { status: node.status };
}

/** Whether `finish` records anything for a task recorded as `node` and derived as `d`. */
export function recordsDiffer(node: RecordedNode | undefined, d: Derived): boolean {
  const from = node?.status ?? 'todo';
  if (d.status === 'blocked' && from === 'blocked') return JSON.stringify(node?.blockedBy ?? []) !== JSON.stringify(d.blockedBy ?? []);
  return d.status !== from;
}

/**
 * What `deriveStatuses(after)` says of every task whose status a change from a settled
 * `before` (every recorded status the derived one) can move, or null when the walk grew
 * past the project's size (then derive in full). Two steps:
 * 1. Values: the tasks `changedAround` the change are derived again; a task whose status
 *    (or a blocked task's reasons) came out otherwise than its waiters last read has them
 *    derived again too. A task never reached keeps its inputs, so its recorded status is right.
 * 2. Order, needed only when two or more tasks not named by an intent change: the full walk's
 *    order restricted to them and to what waits on them (`waitingOn`) — nothing outside waits on
 *    anything inside, so the walk from the inside tasks in task-number order meets them as the
 *    full walk does.
 */
export function deriveAround(before: RecordedGraph, after: RecordedGraph, touched: Iterable<string>, intents: ReadonlySet<string>): Map<string, Derived> | null {
  const current = new Map<string, Derived>();
  const value = (id: string) => current.get(id) ?? recorded(before.tasks.get(id));
  const queue: string[] = [];
  const queued = new Set<string>();
  const enqueue = (id: string | null | undefined) => {
    if (id === null || id === undefined || queued.has(id) || !after.tasks.has(id)) return;
    queued.add(id);
    queue.push(id);
  };
  for (const id of changedAround(before, after, touched)) enqueue(id);
  const limit = 4 * after.tasks.size + 64;
  for (let head = 0; head < queue.length; head++) {
    if (head > limit) return null;
    const id = queue[head];
    queued.delete(id);
    const was = value(id);
    const now = deriveOne(after.tasks, after.children, id, value);
    current.set(id, now);
    if (was.status !== now.status) {
      enqueue(after.tasks.get(id)?.parentId);
      for (const dependant of after.dependants.get(id) ?? []) {
        enqueue(dependant);
        for (const d of descendantsOf(after.tasks, dependant, after.children)) enqueue(d);
      }
    } else if (now.status === 'blocked' && JSON.stringify(was.blockedBy ?? []) !== JSON.stringify(now.blockedBy ?? [])) {
      enqueue(after.tasks.get(id)?.parentId); // a parent's reasons are its children's; a dependant reads the status alone
    }
  }
  const moved = [...current].filter(([id, d]) => !intents.has(id) && recordsDiffer(before.tasks.get(id), d)).map(([id]) => id);
  if (moved.length < 2) return current;
  const scope = waitingOn(after, moved);
  const ordered = deriveWithin(after.tasks, after.children, [...scope].sort(byNumber(after.tasks)), scope, value);
  return new Map([...ordered, ...current]);
}
