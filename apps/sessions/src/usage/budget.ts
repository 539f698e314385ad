import type { Budget } from '@baton/events';

export interface Spend {
  costUsd: number;
  tokens: number;
}

export interface BudgetScope {
  scope: 'session' | 'task' | 'project';
  scopeId: string;
  budget: Budget | null;
  spent: Spend;
}

export interface BudgetBreach {
  scope: BudgetScope['scope'];
  scopeId: string;
  limit: Budget;
  spent: Spend;
  /** What was passed: money, tokens or both. */
  over: ('cost' | 'tokens')[];
}

/**
 * A budget is passed when the spend goes above its limit (reaching it exactly is still
 * within). Scopes are checked in the order given (session, task, project): the first
 * passed one is the reason the session stops.
 */
export function budgetBreach(scopes: BudgetScope[]): BudgetBreach | null {
  for (const s of scopes) {
    if (!s.budget) continue;
    const over: BudgetBreach['over'] = [];
    if (s.budget.maxCostUsd !== null && s.spent.costUsd > s.budget.maxCostUsd) over.push('cost');
    if (s.budget.maxTokens !== null && s.spent.tokens > s.budget.maxTokens) over.push('tokens');
    if (over.length) return { scope: s.scope, scopeId: s.scopeId, limit: s.budget, spent: s.spent, over };
  }
  return null;
}

const money = (n: number) => `$${n.toFixed(2)}`;

export function describeBreach(b: Pick<BudgetBreach, 'scope' | 'scopeId' | 'limit' | 'spent'>): string {
  const parts: string[] = [];
  if (b.limit.maxCostUsd !== null && b.spent.costUsd > b.limit.maxCostUsd) parts.push(`${money(b.spent.costUsd)} spent of ${money(b.limit.maxCostUsd)}`);
  if (b.limit.maxTokens !== null && b.spent.tokens > b.limit.maxTokens) parts.push(`${b.spent.tokens} tokens of ${b.limit.maxTokens}`);
  return `${b.scope} budget exceeded (${b.scope === 'session' ? 'this session' : `${b.scope} ${b.scopeId}`}): ${parts.join(', ') || 'limit passed'}`;
}
