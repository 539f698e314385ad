import type { Dependency, TaskStatus } from '@baton/events';
import { describeCycle, findNewCycle } from './cycles';
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
});
