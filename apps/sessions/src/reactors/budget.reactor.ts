import type { Budget, CommandDataOf, CommandEnvelope, DomainEvent, StopSessionOverBudget } from '@baton/events';
import { budgetBreach, type Spend } from '../usage/budget';
import { commandsFor } from './session.reactors';

export interface BudgetContext {
  /** The limits that apply (where they are configured is the tasks service's business). */
  budgets(projectId: string, taskId: string | null): { task: Budget | null; project: Budget | null };
  /** Rolled-up spend, this report included (the usage read model read at the event's sequence). */
  spent(projectId: string, taskId: string | null): { task: Spend; project: Spend };
}

/**
 * A usage report that takes its task or its project past a budget stops the session that
 * reported it, with `budget_exceeded` on its timeline (DESIGN §6, Cost). The session's
 * own budget is checked by its decider in the same decision as the report.
 */
export function budgetReactor(event: DomainEvent, ctx: BudgetContext): CommandEnvelope[] {
  if (event.type !== 'session.usage_reported') return [];
  const { projectId, taskId } = event.data;
  const limits = ctx.budgets(projectId, taskId);
  if (!limits.task && !limits.project) return [];
  const spent = ctx.spent(projectId, taskId);
  const breach = budgetBreach([
    ...(taskId ? [{ scope: 'task' as const, scopeId: taskId, budget: limits.task, spent: spent.task }] : []),
    { scope: 'project' as const, scopeId: projectId, budget: limits.project, spent: spent.project },
  ]);
  if (!breach) return [];
  const data: CommandDataOf<typeof StopSessionOverBudget> = {
    sessionId: event.aggregate.id,
    scope: breach.scope,
    scopeId: breach.scopeId,
    limit: breach.limit,
    spent: { costUsd: breach.spent.costUsd, tokens: breach.spent.tokens },
  };
  return commandsFor(event, [{ type: 'session.stop_over_budget', data }]);
}
