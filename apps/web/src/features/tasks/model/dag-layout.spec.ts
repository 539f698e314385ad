import { assignLayers, crossings, layoutDag } from './dag-layout';

describe(layoutDag.name, () => {
  it('puts every task one layer right of the deepest task it depends on', () => {
    const sut = assignLayers([
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a', 'b'] },
      { id: 'd', dependsOn: ['x-unknown'] },
    ]);
    expect(Object.fromEntries(sut)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
  });

  it('draws every edge left to right and lays out nodes without overlap', () => {
    const sut = layoutDag([
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a'] },
      { id: 'd', dependsOn: ['b', 'c'] },
    ]);
    expect(sut.layers).toEqual([['a'], ['b', 'c'], ['d']]);
    for (const e of sut.edges) expect(sut.nodes.get(e.from)!.x).toBeLessThan(sut.nodes.get(e.to)!.x);
    const b = sut.nodes.get('b')!;
    const c = sut.nodes.get('c')!;
    expect(Math.abs(b.y - c.y)).toBeGreaterThanOrEqual(56);
    expect(sut.width).toBeGreaterThan(sut.nodes.get('d')!.x);
    expect(sut.edges).toHaveLength(4);
    expect(sut.edges[0].path).toMatch(/^M[\d.]+,[\d.]+ C/);
  });

  it('orders layers to remove crossings the input order would have', () => {
    // a1→b2 and a2→b1 cross in input order; the barycenter sweeps uncross them.
    const sut = layoutDag([
      { id: 'a1', dependsOn: [] },
      { id: 'a2', dependsOn: [] },
      { id: 'b1', dependsOn: ['a2'] },
      { id: 'b2', dependsOn: ['a1'] },
    ]);
    expect(crossings(sut)).toBe(0);
  });

  it('survives a cycle (which the API refuses anyway) and an empty graph', () => {
    expect(() => layoutDag([{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }])).not.toThrow();
    expect(layoutDag([])).toMatchObject({ width: 32, edges: [] });
  });
});
