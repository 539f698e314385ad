import type { Projection } from '@baton/projections';
import { UsageRowEntity, type UsageRow } from './usage-row.entity';

export const usageKey = (sessionId: string, taskId: string | null) => `${sessionId}:${taskId ?? '-'}`;

/** Usage per session and task, from the reports' deltas: attempt → task → project roll-ups are sums. */
export const sessionUsageProjection: Projection<UsageRow> = {
  name: 'session_usage',
  version: 1,
  entity: UsageRowEntity,
  keysOf: (event) => (event.type === 'session.usage_reported' ? [usageKey(event.aggregate.id, event.data.taskId)] : []),
  evolve(row, event, id) {
    if (event.type !== 'session.usage_reported') return row;
    const { delta, projectId, attemptId, taskId } = event.data;
    const base: UsageRow = row ?? {
      id,
      sessionId: event.aggregate.id,
      projectId,
      attemptId,
      taskId,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
      reports: 0,
      lastAt: event.occurredAt,
    };
    return {
      ...base,
      inputTokens: base.inputTokens + delta.inputTokens,
      outputTokens: base.outputTokens + delta.outputTokens,
      cacheReadTokens: base.cacheReadTokens + delta.cacheReadTokens,
      cacheWriteTokens: base.cacheWriteTokens + delta.cacheWriteTokens,
      costUsd: Math.round((base.costUsd + delta.costUsd) * 1e6) / 1e6,
      reports: base.reports + 1,
      lastAt: event.occurredAt,
    };
  },
};
