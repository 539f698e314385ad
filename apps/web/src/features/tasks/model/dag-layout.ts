/**
 * A layered ("Sugiyama-lite") layout of the dependency DAG, drawn left to right: a task sits
 * one layer right of the deepest task it depends on, so every edge points right. Within a
 * layer, nodes are ordered by the mean position of their neighbours (a few down/up sweeps),
 * which removes most crossings on the graphs people make. Pure: the SVG only draws it.
 */
export interface DagInput {
  id: string;
  /** Ids this node depends on (edges dep → node). Unknown ids are ignored. */
  dependsOn: readonly string[];
}

export interface DagNode {
  id: string;
  layer: number;
  index: number;
  x: number;
  y: number;
}

export interface DagEdge {
  from: string;
  to: string;
  /** An SVG path, from the right edge of `from` to the left edge of `to`. */
  path: string;
}

export interface DagLayout {
  nodes: Map<string, DagNode>;
  edges: DagEdge[];
  layers: string[][];
  width: number;
  height: number;
}

export interface DagSizes {
  nodeWidth: number;
  nodeHeight: number;
  gapX: number;
  gapY: number;
  pad: number;
}

export const DEFAULT_SIZES: DagSizes = { nodeWidth: 248, nodeHeight: 56, gapX: 72, gapY: 18, pad: 16 };

/** Longest-path layers; a cycle (which the API refuses) is cut rather than looping. */
export function assignLayers(items: readonly DagInput[]): Map<string, number> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let l = 0;
    for (const dep of byId.get(id)?.dependsOn ?? []) if (byId.has(dep)) l = Math.max(l, visit(dep) + 1);
    visiting.delete(id);
    layer.set(id, l);
    return l;
  };
  for (const i of items) visit(i.id);
  return layer;
}

export function layoutDag(items: readonly DagInput[], sizes: DagSizes = DEFAULT_SIZES, sweeps = 4): DagLayout {
  const ids = new Set(items.map((i) => i.id));
  const layerOf = assignLayers(items);
  const preds = new Map<string, string[]>(items.map((i) => [i.id, i.dependsOn.filter((d) => ids.has(d) && d !== i.id)]));
  const succs = new Map<string, string[]>(items.map((i) => [i.id, []]));
  for (const [id, ps] of preds) for (const p of ps) succs.get(p)!.push(id);

  const count = Math.max(0, ...layerOf.values()) + (items.length ? 1 : 0);
  const layers: string[][] = Array.from({ length: count }, () => []);
  for (const i of items) layers[layerOf.get(i.id)!].push(i.id); // input order first (stable)

  const pos = new Map<string, number>();
  const index = () => layers.forEach((l) => l.forEach((id, k) => pos.set(id, k)));
  index();
  const bary = (id: string, neighbours: string[]) => (neighbours.length ? neighbours.reduce((s, n) => s + pos.get(n)!, 0) / neighbours.length : pos.get(id)!);
  for (let s = 0; s < sweeps; s++) {
    const down = s % 2 === 0;
    const order = down ? layers.keys() : [...layers.keys()].reverse();
    for (const l of order) {
      const keyed = layers[l].map((id) => ({ id, key: bary(id, down ? preds.get(id)! : succs.get(id)!) }));
      keyed.sort((a, b) => a.key - b.key);
      layers[l] = keyed.map((k) => k.id);
      layers[l].forEach((id, k) => pos.set(id, k));
    }
  }

  const { nodeWidth: w, nodeHeight: h, gapX, gapY, pad } = sizes;
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const height = pad * 2 + (tallest ? tallest * h + (tallest - 1) * gapY : 0);
  const nodes = new Map<string, DagNode>();
  layers.forEach((l, li) => {
    // Centre each layer vertically so short layers sit in the middle of tall ones.
    const span = l.length * h + Math.max(0, l.length - 1) * gapY;
    const top = pad + (height - pad * 2 - span) / 2;
    l.forEach((id, k) => nodes.set(id, { id, layer: li, index: k, x: pad + li * (w + gapX), y: top + k * (h + gapY) }));
  });
  const edges: DagEdge[] = [];
  for (const [id, ps] of preds) {
    const to = nodes.get(id)!;
    for (const p of ps) {
      const from = nodes.get(p)!;
      const x1 = from.x + w;
      const y1 = from.y + h / 2;
      const x2 = to.x;
      const y2 = to.y + h / 2;
      const dx = Math.max(24, (x2 - x1) / 2);
      edges.push({ from: p, to: id, path: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}` });
    }
  }
  const width = pad * 2 + (count ? count * w + (count - 1) * gapX : 0);
  return { nodes, edges, layers, width, height };
}

/** How many edges cross between adjacent layers (for specs and for choosing among layouts). */
export function crossings(layout: DagLayout): number {
  let n = 0;
  const es = layout.edges.map((e) => ({ a: layout.nodes.get(e.from)!, b: layout.nodes.get(e.to)! })).filter((e) => e.b.layer === e.a.layer + 1);
  for (let i = 0; i < es.length; i++)
    for (let j = i + 1; j < es.length; j++) {
      const p = es[i];
      const q = es[j];
      if (p.a.layer !== q.a.layer) continue;
      if ((p.a.index - q.a.index) * (p.b.index - q.b.index) < 0) n++;
    }
  return n;
}
