import { ancestorsOf, childrenIndex, type Graph } from './graph';

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

export function waitEdges(graph: Graph, children = childrenIndex(graph)): Map<string, WaitEdge[]> {
  const out = new Map<string, WaitEdge[]>();
  for (const node of graph.values()) {
    const edges: WaitEdge[] = node.dependsOn.map((d) => ({ from: node.id, to: d.taskId, kind: 'depends_on' as const }));
    for (const a of ancestorsOf(graph, node.id)) {
      for (const d of graph.get(a)?.dependsOn ?? []) edges.push({ from: node.id, to: d.taskId, kind: 'inherited', via: a });
    }
    for (const c of children.get(node.id) ?? []) edges.push({ from: node.id, to: c, kind: 'subtask' });
    out.set(node.id, edges);
  }
  return out;
}

export interface Cycle {
  /** Task ids, first and last the same. */
  path: string[];
  edges: WaitEdge[];
}

const key = (e: WaitEdge) => `${e.from}\u0000${e.to}`;

/**
 * The shortest cycle that a change from `before` to `after` creates, or null.
 * `before` is free of cycles, so any cycle of `after` uses one of its new edges;
 * for each new edge s → t (in a stable order) a breadth-first search looks for t ⇝ s.
 */
export function findNewCycle(before: Graph, after: Graph): Cycle | null {
  const old = new Set([...waitEdges(before).values()].flat().map(key));
  const edges = waitEdges(after);
  const number = (id: string) => after.get(id)?.number ?? 0;
  const fresh = [...edges.values()]
    .flat()
    .filter((e) => !old.has(key(e)))
    .sort((a, b) => number(a.from) - number(b.from) || number(a.to) - number(b.to));
  for (const edge of fresh) {
    const back = shortestPath(edges, edge.to, edge.from);
    if (back) return { path: [edge.from, edge.to, ...back.map((e) => e.to)], edges: [edge, ...back] };
  }
  return null;
}

function shortestPath(edges: Map<string, WaitEdge[]>, from: string, to: string): WaitEdge[] | null {
  if (from === to) return [];
  const cameBy = new Map<string, WaitEdge>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const n = queue.shift()!;
    for (const e of edges.get(n) ?? []) {
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
