import type { DomainEvent, RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { cmd, history, place, register, report, spawn, spawned, t } from '../../session/__tests__/session-fixtures';
import type { TimelineRow } from './timeline-row.entity';
import { sessionTimelineProjection } from './timeline.projection';

describe('sessionTimelineProjection', () => {
  const events = history(
    spawn({ taskIds: ['t1'] }, {}, t(0)),
    place('r1', t(1)),
    spawned('r1', t(2)),
    register(t(3)),
    report('progress', { message: 'half', progress: 0.5 }, t(4)),
    cmd('session.record_worker_spawned', { workerId: 'w1', templateId: 'codex', taskIds: [] }, t(5), 'system'),
  ).map((e, i) => ({ ...e, position: { seq: 10 + i } }) as unknown as RecordedEvent<DomainEvent>);

  it('keeps one row per timeline entry, in stream order, with its details', () => {
    const rows = new Map<string, TimelineRow | null>();
    foldAfter(sessionTimelineProjection, rows, 0, events);
    const list = [...rows.values()].filter((r): r is TimelineRow => !!r).sort((a, b) => a.seq - b.seq);
    expect(list.map((r) => r.kind)).toEqual(['session_started', 'milestone', 'progress', 'worker_spawned']);
    expect(list[2]).toMatchObject({ sessionId: 's1', kind: 'progress', progress: 0.5, taskId: 't1', source: 'agent', at: t(4) });
    expect(list[3]).toMatchObject({ workerId: 'w1' });
    const again = foldAfter(sessionTimelineProjection, rows, 100, events);
    expect(again.touched.size).toBe(0);
  });
});
