import { RunnerCapacityChanged, RunnerDeregistered, RunnerDrainChanged, RunnerRegistered, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { RunnerRow } from './runner-row.entity';
import { runnersProjection } from './runners.projection';

const R = { type: 'runner' as const, id: 'r1' };
const at = (seq: number, e: { type: string; data: unknown }) => ({ ...recorded(R, e as never), position: { seq } }) as unknown as RecordedEvent<DomainEvent>;

describe('runnersProjection', () => {
  it('folds registration, capacity, draining and deregistration', () => {
    const rows = new Map<string, RunnerRow | null>();
    const events = [
      at(1, RunnerRegistered({ hostname: 'box', capacity: 4, labels: { os: 'linux' }, version: '1' })),
      at(2, RunnerCapacityChanged({ capacity: 2, previous: 4 })),
      at(3, RunnerDrainChanged({ draining: true, reason: 'update' })),
    ];
    foldAfter(runnersProjection, rows, 0, events);
    expect(rows.get('r1')).toMatchObject({ hostname: 'box', capacity: 2, draining: true, status: 'registered', labels: { os: 'linux' }, eventCount: 3 });
    foldAfter(runnersProjection, rows, 3, [at(4, RunnerDeregistered({ reason: 'gone' }))]);
    expect(rows.get('r1')).toMatchObject({ status: 'deregistered' });
    foldAfter(runnersProjection, rows, 4, [at(5, RunnerRegistered({ hostname: 'box', capacity: 8, labels: {}, version: '2' }))]);
    expect(rows.get('r1')).toMatchObject({ status: 'registered', capacity: 8, draining: true });
    expect(foldAfter(runnersProjection, rows, 5, events).touched.size).toBe(0);
  });
});
