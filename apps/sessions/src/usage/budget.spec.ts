import { budgetBreach, describeBreach } from './budget';

describe(budgetBreach.name, () => {
  const scope = (scope: 'session' | 'task' | 'project', maxCostUsd: number | null, maxTokens: number | null, costUsd: number, tokens: number) => ({
    scope,
    scopeId: `${scope}-1`,
    budget: { maxCostUsd, maxTokens },
    spent: { costUsd, tokens },
  });

  it('is passed above the limit, not at it', () => {
    expect(budgetBreach([scope('task', 5, null, 5, 0)])).toBeNull();
    expect(budgetBreach([scope('task', 5, null, 5.01, 0)])).toMatchObject({ scope: 'task', over: ['cost'] });
    expect(budgetBreach([scope('task', null, 1_000, 0, 1_001)])).toMatchObject({ over: ['tokens'] });
    expect(budgetBreach([scope('task', 1, 1, 2, 2)])).toMatchObject({ over: ['cost', 'tokens'] });
  });

  it('reports the first scope passed, in order; no budget, no breach', () => {
    expect(budgetBreach([scope('session', 10, null, 1, 0), scope('task', 1, null, 2, 0), scope('project', 1, null, 2, 0)])).toMatchObject({ scope: 'task' });
    expect(budgetBreach([{ scope: 'project', scopeId: 'p', budget: null, spent: { costUsd: 1e6, tokens: 1e9 } }])).toBeNull();
  });

  it('says what was passed', () => {
    expect(describeBreach({ scope: 'task', scopeId: 't1', limit: { maxCostUsd: 5, maxTokens: 100 }, spent: { costUsd: 6.5, tokens: 200 } })).toBe(
      'task budget exceeded (task t1): $6.50 spent of $5.00, 200 tokens of 100',
    );
  });
});
