import { compareIds, diffSortedRows, type ComparableRow } from './row-diff';

async function* rows(...list: [string, object][]): AsyncGenerator<ComparableRow> {
  for (const [id, value] of list) yield { id, json: JSON.stringify({ id, ...value }) };
}

describe(diffSortedRows.name, () => {
  it('finds nothing between equal streams', async () => {
    const sut = await diffSortedRows(rows(['a', { n: 1 }], ['b', { n: 2 }]), rows(['a', { n: 1 }], ['b', { n: 2 }]), 5);
    expect(sut).toEqual({ left: 2, right: 2, onlyLeft: 0, onlyRight: 0, different: 0, sample: [] });
  });

  it('counts rows on one side only and rows that differ, naming the columns', async () => {
    const sut = await diffSortedRows(
      rows(['a', { n: 1 }], ['c', { n: 3, name: 'x' }], ['d', {}]),
      rows(['b', { n: 2 }], ['c', { n: 4, name: 'x' }], ['e', {}]),
      10,
    );
    expect(sut).toMatchObject({ left: 3, right: 3, onlyLeft: 2, onlyRight: 2, different: 1 });
    expect(sut.sample).toEqual([
      { id: 'a', kind: 'only_live' },
      { id: 'b', kind: 'only_rebuilt' },
      { id: 'c', kind: 'different', columns: ['n'] },
      { id: 'd', kind: 'only_live' },
      { id: 'e', kind: 'only_rebuilt' },
    ]);
  });

  it('keeps at most sampleSize differences but counts them all', async () => {
    const left = Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(3, '0')}`, { v: 1 }] as [string, object]);
    const right = left.map(([id]) => [id, { v: 2 }] as [string, object]);
    const sut = await diffSortedRows(rows(...left), rows(...right), 3);
    expect(sut.different).toBe(50);
    expect(sut.sample).toHaveLength(3);
  });

  it('orders ids by bytes, like COLLATE "C"', () => {
    expect(['b', 'B', 'a', '_', 'A', '0'].sort(compareIds)).toEqual(['0', 'A', 'B', '_', 'a', 'b']);
  });
});
