import type { EntitySchema } from 'typeorm';
import type { DomainEvent, RecordedEvent } from '@baton/events';
import { foldAfter, foldRows, type Projection } from './projection';

interface Row {
  id: string;
  count: number;
  seqs: number[];
}

/** Counts applications per key; GONE deletes the row; PAIR touches two rows; OTHER is ignored. */
const GONE = 'project.deleted', PAIR = 'project.archived', OTHER = 'runner.registered';
const counting: Projection<Row> = {
  name: 'counting',
  version: 1,
  entity: {} as EntitySchema<Row>,
  keysOf: (e) => (e.type === OTHER ? [] : e.type === PAIR ? [e.aggregate.id, `${e.aggregate.id}-twin`] : [e.aggregate.id]),
  evolve: (row, e, id) => (e.type === GONE ? null : { id, count: (row?.count ?? 0) + 1, seqs: [...(row?.seqs ?? []), e.position.seq] }),
};

const ev = (seq: number, id: string, type = 'project.renamed') => ({ type, aggregate: { type: 'project', id }, position: { seq } }) as unknown as RecordedEvent<DomainEvent>;

describe('foldRows', () => {
  it('folds each event into the rows its keys name, in order, and reports what it touched', () => {
    const rows = new Map<string, Row | null>([['a', { id: 'a', count: 5, seqs: [] }]]);
    const touched = foldRows(counting, rows, [ev(1, 'a'), ev(2, 'b'), ev(3, 'a'), ev(4, 'x', OTHER), ev(5, 'p', PAIR)]);
    expect([...touched].sort()).toEqual(['a', 'b', 'p', 'p-twin']);
    expect(rows.get('a')).toEqual({ id: 'a', count: 7, seqs: [1, 3] });
    expect(rows.get('b')).toEqual({ id: 'b', count: 1, seqs: [2] });
    expect(rows.get('p-twin')).toEqual({ id: 'p-twin', count: 1, seqs: [5] });
    expect(rows.has('x')).toBe(false);
  });

  it('keeps a deleted row as null (so the runtime deletes it) and can recreate it afterwards', () => {
    const rows = new Map<string, Row | null>();
    const touched = foldRows(counting, rows, [ev(1, 'a'), ev(2, 'a', GONE)]);
    expect(touched.has('a')).toBe(true);
    expect(rows.get('a')).toBeNull();
    foldRows(counting, rows, [ev(3, 'a')]);
    expect(rows.get('a')).toEqual({ id: 'a', count: 1, seqs: [3] });
  });
});

describe('foldAfter', () => {
  it('applies only the events after the checkpoint and returns the new checkpoint', () => {
    const rows = new Map<string, Row | null>([['a', { id: 'a', count: 2, seqs: [1, 2] }]]);
    const { touched, checkpoint } = foldAfter(counting, rows, 2, [ev(1, 'a'), ev(2, 'a'), ev(3, 'a'), ev(4, 'b')]);
    expect(checkpoint).toBe(4);
    expect(rows.get('a')).toEqual({ id: 'a', count: 3, seqs: [1, 2, 3] });
    expect([...touched].sort()).toEqual(['a', 'b']);
  });

  it('makes a redelivered batch harmless: folding it again changes nothing', () => {
    const batch = [ev(1, 'a'), ev(2, 'b'), ev(3, 'a')];
    const rows = new Map<string, Row | null>();
    const first = foldAfter(counting, rows, 0, batch);
    const again = foldAfter(counting, rows, first.checkpoint, batch);
    expect(again).toEqual({ touched: new Set(), checkpoint: 3 });
    expect(rows.get('a')).toEqual({ id: 'a', count: 2, seqs: [1, 3] });
  });

  it('keeps the checkpoint when the batch holds nothing new, and advances it past events no row cares about', () => {
    const rows = new Map<string, Row | null>();
    expect(foldAfter(counting, rows, 7, [ev(6, 'a'), ev(7, 'a')]).checkpoint).toBe(7);
    expect(foldAfter(counting, rows, 7, []).checkpoint).toBe(7);
    const ignored = foldAfter(counting, rows, 7, [ev(8, 'x', OTHER)]);
    expect(ignored).toEqual({ touched: new Set(), checkpoint: 8 });
    expect(rows.size).toBe(0);
  });
});
