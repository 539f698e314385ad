import type { Projection } from '@baton/projections';
import { RunnerRowEntity, type RunnerRow } from './runner-row.entity';

export const runnersProjection: Projection<RunnerRow> = {
  name: 'runners',
  version: 1,
  entity: RunnerRowEntity,
  keysOf: (event) => (event.aggregate.type === 'runner' ? [event.aggregate.id] : []),
  evolve(row, event, id) {
    const touch = (r: RunnerRow): RunnerRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'runner.registered': {
        const d = event.data;
        const base: RunnerRow = row ?? { id, hostname: d.hostname, capacity: d.capacity, labels: d.labels, version: d.version, draining: false, status: 'registered', registeredAt: event.occurredAt, updatedAt: event.occurredAt, eventCount: 0, lastSeq: 0 };
        return touch({ ...base, hostname: d.hostname, capacity: d.capacity, labels: d.labels, version: d.version, status: 'registered', registeredAt: event.occurredAt });
      }
      case 'runner.capacity_changed':
        return row && touch({ ...row, capacity: event.data.capacity });
      case 'runner.drain_changed':
        return row && touch({ ...row, draining: event.data.draining });
      case 'runner.deregistered':
        return row && touch({ ...row, status: 'deregistered' });
      default:
        return row;
    }
  },
};
