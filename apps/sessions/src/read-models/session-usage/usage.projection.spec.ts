import type { DomainEvent, RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { cmd, history, place, register, spawn, spawned, t, usage } from '../../session/__tests__/session-fixtures';
import type { UsageRow } from './usage-row.entity';
import { sessionUsageProjection, usageKey } from './usage.projection';

describe('sessionUsageProjection', () => {
  it('sums deltas per session and task, for roll-ups by attempt, task and project', () => {
    const next = (at: number) => cmd('session.queue_next', {}, t(at), 'agent');
    const done = (at: number) => cmd('session.queue_complete', {}, t(at), 'agent');
    const events = history(
      spawn({ strategy: 'queue', taskIds: ['t1', 't2'] }, {}, t(0)),
      place('r1', t(1)),
      spawned('r1', t(2)),
      register(t(3)),
      usage({ inputTokens: 10, costUsd: 0.01 }, t(4)),
      next(5),
      usage({ inputTokens: 100, costUsd: 0.1 }, t(6)),
      usage({ outputTokens: 50, costUsd: 0.05 }, t(7)),
      done(8),
      next(9),
      usage({ inputTokens: 1, costUsd: 0.001 }, t(10)),
    ).map((e, i) => ({ ...e, position: { seq: i + 1 } }) as unknown as RecordedEvent<DomainEvent>);
    const rows = new Map<string, UsageRow | null>();
    foldAfter(sessionUsageProjection, rows, 0, events);
    expect(rows.get(usageKey('s1', null))).toMatchObject({ inputTokens: 10, costUsd: 0.01, reports: 1, taskId: null });
    expect(rows.get(usageKey('s1', 't1'))).toMatchObject({ inputTokens: 100, outputTokens: 50, costUsd: 0.15, reports: 2, projectId: 'p1' });
    expect(rows.get(usageKey('s1', 't2'))).toMatchObject({ inputTokens: 1, costUsd: 0.001 });
    expect(foldAfter(sessionUsageProjection, rows, events.length, events).touched.size).toBe(0);
  });
});
