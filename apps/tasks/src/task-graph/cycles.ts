import { ancestorsOf, childrenIndex, descendantsOf, type Children, type Graph, type GraphNode } from './graph';
import { changedAround, type IndexedGraph } from './neighbourhood';

/**
 * "X waits for Y" edges: what a task's status is derived from.
 * - depends_on: X's own dependency on Y;
 * - inherited:  a dependency of X's ancestor `via` (it holds for X too);
 * - subtask:    X is a parent, its status rolls up from child Y.
 * A cycle among these is a deadlock: no task on it could ever become ready or done.
 */
export type WaitEdgeKind = 'depends_on' | 'inherited' | 'subtask';
export interface WaitEdge {
  from: string;
  to: string;
  kind: WaitEdgeKind;
  via?: string;
}

export function waitEdges(graph: Graph, children: Children = childrenIndex(graph)): Map<string, WaitEdge[]> {
  const out = new Map<string, WaitEdge[]>();
  for (const node of graph.values()) out.set(node.id, edgesOf(graph, children, node.id));
  return out;
}

/** One task's wait edges, in the order `waitEdges` lists them. */
export function edgesOf(graph: Graph, children: Children, id: string): WaitEdge[] {
  const node = graph.get(id);
  if (!node) return [];
  const edges: WaitEdge[] = node.dependsOn.map((d) => ({ from: node.id, to: d.taskId, kind: 'depends_on' as const }));
  for (const a of ancestorsOf(graph, node.id)) {
    for (const d of graph.get(a)?.dependsOn ?? []) edges.push({ from: node.id, to: d.taskId, kind: 'inherited', via: a });
  }
  for (const c of children.get(node.id) ?? []) edges.push({ from: node.id, to: c, kind: 'subtask' });
  return edges;
}

export interface Cycle {
  /** Task ids, first and last the same. */
  path: string[];
  edges: WaitEdge[];
}

const key = (e: WaitEdge) => `${e.from}\u0000${e.to}`;

/**
 * Whether a change from `before` to `after` can close a cycle at all: an existing task's
 * dependencies or parent changed, or a new task depends on something. A new task without
 * dependencies only waits for what its ancestors already wait for, and only its parent waits
 * for it, so it closes nothing. This spares the whole-graph walk below for the common
 * commands (a task created, a status changed), whose cost otherwise grows with the project
 * (#18 point 4). Nodes are compared by identity first: evolveGraph replaces what it changes.
 */
export function mayCloseCycle(before: Graph, after: Graph, ids: Iterable<string> = after.keys()): boolean {
  for (const id of ids) {
    const node = after.get(id);
    if (!node) continue;
    const was = before.get(id);
    if (was === node) continue;
    if (!was) {
      if (node.dependsOn.length) return true;
      continue;
    }
    if (was.parentId !== node.parentId || !sameDependencies(was.dependsOn, node.dependsOn)) return true;
  }
  return false;
}

function sameDependencies(a: GraphNode['dependsOn'], b: GraphNode['dependsOn']): boolean {
  return a === b || (a.length === b.length && a.every((d, i) => d.taskId === b[i].taskId));
}

/**
 * The shortest cycle that a change from `before` to `after` creates, or null.
 * `before` is free of cycles, so any cycle of `after` uses one of its new edges;
 * for each new edge s → t (in a stable order) a breadth-first search looks for t ⇝ s.
 */
export function findNewCycle(before: Graph, after: Graph): Cycle | null {
  if (!mayCloseCycle(before, after)) return null;
  return searchNewCycle({ tasks: before, children: childrenIndex(before) }, { tasks: after, children: childrenIndex(after) }, after.keys());
}

/**
 * `findNewCycle` for a decision's working copy: only the tasks the decision wrote (`touched`)
 * and their neighbourhood can have new edges (see `changedAround`), and the search reads edges
 * as it reaches them, so its cost is what it walks, not the project.
 */
export function findNewCycleAround(before: IndexedGraph, after: IndexedGraph, touched: readonly string[]): Cycle | null {
  if (!mayCloseCycle(before.tasks, after.tasks, touched)) return null;
  return searchNewCycle(before, after, changedAround(before, after, touched));
}

/** New edges are those of `sources` in `after` that `before` lacks; `sources` must hold every task that has one. */
function searchNewCycle(before: Pick<IndexedGraph, 'tasks' | 'children'>, after: Pick<IndexedGraph, 'tasks' | 'children'> & Partial<IndexedGraph>, sources: Iterable<string>): Cycle | null {
  const fresh: WaitEdge[] = [];
  for (const id of sources) {
    const old = new Set(edgesOf(before.tasks, before.children, id).map(key));
    for (const e of edgesOf(after.tasks, after.children, id)) if (!old.has(key(e))) fresh.push(e);
  }
  const number = (id: string) => after.tasks.get(id)?.number ?? 0;
  fresh.sort((a, b) => number(a.from) - number(b.from) || number(a.to) - number(b.to));
  const known = new Map<string, WaitEdge[]>();
  const edges = (id: string) => {
    let out = known.get(id);
    if (!out) known.set(id, (out = edgesOf(after.tasks, after.children, id)));
    return out;
  };
  const { dependants } = after;
  // Who has a wait edge to `id`: its parent (subtask), what depends on it and their subtrees (inherited).
  const waiters = dependants
    ? (id: string) => {
        const out: string[] = [];
        const parent = after.tasks.get(id)?.parentId;
        if (parent && after.tasks.has(parent)) out.push(parent);
        for (const d of dependants.get(id) ?? []) out.push(d, ...descendantsOf(after.tasks, d, after.children));
        return out;
      }
    : undefined;
  for (const edge of fresh) {
    const back = shortestPath(edges, edge.to, edge.from, waiters);
    if (back) return { path: [edge.from, edge.to, ...back.map((e) => e.to)], edges: [edge, ...back] };
  }
  return null;
}

/**
 * Breadth-first from `from` to `to`. With `waiters` (the reverse edges), the tasks that reach
 * `to` are gathered a step per step of the search: when they are all known first, a search
 * that cannot succeed stops, and one that can skips every task outside them — no shortest
 * path runs through such a task, and none of them is first to reach a task inside, so the
 * path found is the same. The cost is about the smaller of the two sides, not the project.
 */
function shortestPath(edges: (id: string) => WaitEdge[], from: string, to: string, waiters?: (id: string) => string[]): WaitEdge[] | null {
  if (from === to) return [];
  const cameBy = new Map<string, WaitEdge>();
  const queue = [from];
  const seen = new Set([from]);
  const reaching = new Set([to]);
  const pending = waiters ? [to] : [];
  let complete = false;
  for (let head = 0; head < queue.length; head++) {
    if (waiters && !complete) {
      const y = pending.pop();
      if (y === undefined) {
        complete = true;
        if (!reaching.has(from)) return null;
      } else {
        for (const w of waiters(y)) {
          if (reaching.has(w)) continue;
          reaching.add(w);
          pending.push(w);
        }
      }
    }
    const n = queue[head];
    if (complete && !reaching.has(n)) continue;
    for (const e of edges(n)) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      cameBy.set(e.to, e);
      if (e.to === to) {
        const path: WaitEdge[] = [];
        for (let at = to; at !== from; at = cameBy.get(at)!.from) path.unshift(cameBy.get(at)!);
        return path;
      }
      queue.push(e.to);
    }
  }
  return null;
}

/** "a → b → a (a depends on b; b has subtask a)": what a person needs to see to undo it. */
export function describeCycle(cycle: Cycle, label: (id: string) => string = (id) => id): string {
  const steps = cycle.edges.map((e) => {
    switch (e.kind) {
      case 'depends_on':
        return `${label(e.from)} depends on ${label(e.to)}`;
      case 'subtask':
        return `${label(e.from)} has subtask ${label(e.to)}`;
      case 'inherited':
        return `${label(e.from)} inherits ${label(e.via ?? '?')}'s dependency on ${label(e.to)}`;
      default: {
        const unknown: never = e.kind;
        return unknown;
      }
    }
  });
  return `${cycle.path.map(label).join(' → ')} (${steps.join('; ')})`;
}
