import type { Dependency, TaskStatus } from '@baton/events';
import { describeCycle, findNewCycle, mayCloseCycle, waitEdges } from './cycles';
import { conditionBroken, conditionMet, deriveStatuses, effectiveDependencies, rollUp, wouldUnblock, type GraphNode } from './graph';

let n = 0;
const node = (id: string, o: { parent?: string; deps?: Dependency[]; status?: TaskStatus } = {}): GraphNode => ({
  id,
  number: ++n,
  parentId: o.parent ?? null,
  dependsOn: o.deps ?? [],
  status: o.status ?? 'todo',
});
const graph = (...nodes: GraphNode[]) => new Map(nodes.map((x) => [x.id, x]));
const on = (taskId: string, condition: Dependency['condition'] = 'success'): Dependency => ({ taskId, condition });

describe('conditions', () => {
  it.each([
    ['success', 'done', true, false],
    ['success', 'failed', false, true],
    ['success', 'cancelled', false, true],
    ['success', 'in_progress', false, false],
    ['failure', 'failed', true, false],
    ['failure', 'done', false, true],
    ['failure', 'cancelled', false, true],
    ['failure', 'blocked', false, false],
    ['any', 'done', true, false],
    ['any', 'failed', true, false],
    ['any', 'cancelled', true, false],
    ['any', 'in_review', false, false],
  ] as const)('%s on a %s dependency: met %s, broken %s', (condition, status, met, broken) => {
    expect(conditionMet(condition, status)).toBe(met);
    expect(conditionBroken(condition, status)).toBe(broken);
  });
});

describe(rollUp.name, () => {
  const s = (...ss: TaskStatus[]) => rollUp(ss.map((status) => ({ status }))).status;
  it.each([
    [['done', 'done'], 'done'],
    [['done', 'cancelled'], 'done'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [['done', 'failed'], 'failed'],
    [['failed', 'ready'], 'in_progress'],
    [['in_progress', 'todo'], 'in_progress'],
    [['in_review', 'done'], 'in_review'],
    [['in_review', 'todo'], 'in_progress'],
    [['done', 'todo'], 'in_progress'],
    [['ready', 'blocked'], 'ready'],
    [['todo', 'blocked'], 'blocked'],
    [['todo', 'todo'], 'todo'],
  ] as [TaskStatus[], TaskStatus][])('%j → %s', (children, expected) => {
    expect(s(...children)).toBe(expected);
  });

  it('a blocked parent names what blocks its subtasks', () => {
    const b = { taskId: 'x', condition: 'success' as const, status: 'failed' as const, via: null };
    expect(rollUp([{ status: 'blocked', blockedBy: [b] }, { status: 'blocked', blockedBy: [b] }, { status: 'todo' }])).toEqual({ status: 'blocked', blockedBy: [b] });
  });
});

describe(deriveStatuses.name, () => {
  it('evaluates a parent dependency for every subtask (via names the parent)', () => {
    const g = graph(node('x', { status: 'failed' }), node('p', { deps: [on('x')] }), node('c', { parent: 'p' }));
    expect(effectiveDependencies(g, 'c')).toEqual([{ taskId: 'x', condition: 'success', via: 'p' }]);
    expect(deriveStatuses(g).get('c')).toEqual({ status: 'blocked', blockedBy: [{ taskId: 'x', condition: 'success', status: 'failed', via: 'p' }] });
  });

  it('keeps sticky statuses of leaves whatever their dependencies say', () => {
    const g = graph(node('x', { status: 'failed' }), node('a', { deps: [on('x')], status: 'in_progress' }));
    expect(deriveStatuses(g).get('a')).toEqual({ status: 'in_progress' });
  });
});

describe(wouldUnblock.name, () => {
  it('lists what finishing a task would make ready: only dependants whose other dependencies are met', () => {
    const g = graph(
      node('a', { status: 'in_progress' }),
      node('b', { status: 'done' }),
      node('c', { deps: [on('a'), on('b')] }),
      node('d', { deps: [on('a'), on('z')] }),
      node('z', { status: 'ready' }),
      node('e', { deps: [on('a', 'failure')] }),
    );
    expect(wouldUnblock(g, 'a')).toEqual(['c']);
    expect(wouldUnblock(g, 'a', 'failed')).toEqual(['e']);
    expect(wouldUnblock(g, 'missing')).toEqual([]);
  });

  it('for a parent: finishing its whole subtree, including dependants of the parent and the subtasks of those', () => {
    const g = graph(node('p'), node('c1', { parent: 'p', status: 'done' }), node('c2', { parent: 'p', status: 'in_progress' }), node('q', { deps: [on('p')] }), node('q1', { parent: 'q' }));
    expect(wouldUnblock(g, 'p')).toEqual(['q', 'q1']);
  });
});

describe(findNewCycle.name, () => {
  it('finds the shortest cycle a change creates, and none for an acyclic change', () => {
    const before = graph(node('a'), node('b', { deps: [on('a')] }), node('c', { deps: [on('b')] }));
    const after = new Map(before);
    after.set('a', { ...before.get('a')!, dependsOn: [on('c')] });
    const cycle = findNewCycle(before, after)!;
    expect(cycle.path).toEqual(['a', 'c', 'b', 'a']);
    expect(describeCycle(cycle)).toBe('a → c → b → a (a depends on c; c depends on b; b depends on a)');
    expect(findNewCycle(before, before)).toBeNull();
  });

  it('finds a cycle closed by a new task that depends on what waits for its parent', () => {
    // x depends on p; a new child of p depending on x: p waits for the child, the child for x, x for p.
    const before = graph(node('p'), node('x', { deps: [on('p')] }));
    const after = new Map(before).set('c', node('c', { parent: 'p', deps: [on('x')] }));
    expect(mayCloseCycle(before, after)).toBe(true);
    expect(findNewCycle(before, after)?.path).toEqual(['p', 'c', 'x', 'p']);
  });

  it('skips the walk only where no cycle can be closed: random changes of random acyclic graphs agree with a full search', () => {
    let seed = 42;
    const rand = (k: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor(seed / 2 ** 16) % k;
    };
    const hasCycle = (g: Map<string, GraphNode>) => {
      const edges = waitEdges(g);
      const state = new Map<string, 1 | 2>();
      const visit = (id: string): boolean => {
        if (state.get(id) === 1) return true;
        if (state.get(id) === 2) return false;
        state.set(id, 1);
        const found = (edges.get(id) ?? []).some((e) => visit(e.to));
        state.set(id, 2);
        return found;
      };
      return [...g.keys()].some(visit);
    };
    let skipped = 0;
    for (let round = 0; round < 400; round++) {
      const before = new Map<string, GraphNode>();
      for (let i = 0; i < 8; i++) {
        const id = `t${i}`;
        const parent = i > 0 && rand(3) === 0 ? `t${rand(i)}` : undefined;
        const deps = i > 0 && rand(2) === 0 ? [on(`t${rand(i)}`)] : [];
        const candidate = new Map(before).set(id, node(id, { parent, deps }));
        before.set(id, hasCycle(candidate) ? node(id, { parent }) : candidate.get(id)!);
      }
      if (hasCycle(before)) continue;
      const after = new Map(before);
      const pick = () => `t${rand(8)}`;
      switch (rand(4)) {
        case 0: // a new task, with or without a dependency
          after.set('n', node('n', { parent: rand(2) ? pick() : undefined, deps: rand(2) ? [on(pick())] : [] }));
          break;
        case 1: // a dependency added
          after.set(pick(), { ...after.get(pick())!, dependsOn: [on(pick())] });
          break;
        case 2: { // a task moved
          const id = pick();
          after.set(id, { ...after.get(id)!, parentId: pick() });
          break;
        }
        default: // a status changed
          after.set(pick(), { ...after.get(pick())!, status: 'done' });
      }
      if (!mayCloseCycle(before, after)) {
        skipped++;
        expect(hasCycle(after)).toBe(false);
      }
    }
    expect(skipped).toBeGreaterThan(50);
  });
});
