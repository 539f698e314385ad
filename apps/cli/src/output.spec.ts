import { cellText, formatRecord, formatTable } from './output';

describe('output', () => {
  it('aligns a table under upper-case headers', () => {
    const sut = formatTable(
      [
        { id: 'a', title: 'First', dependsOn: ['x', 'y'] },
        { id: 'bbbb', title: null, dependsOn: [] },
      ],
      ['id', 'title', 'dependsOn'],
    );
    expect(sut).toBe(['ID    TITLE  DEPENDS_ON', 'a     First  x, y', 'bbbb  -      -', ''].join('\n'));
  });

  it('says (none) for no rows', () => {
    expect(formatTable([], ['id'])).toBe('(none)\n');
  });

  it('never lets control characters through and clips long cells', () => {
    const sut = formatTable([{ t: '\u001b[31mred\nline\u202e' }, { t: 'x'.repeat(100) }], ['t']);
    expect(sut).not.toContain('\u001b');
    expect(sut).not.toContain('\u202e');
    expect(sut).toContain('red line');
    expect(sut.split('\n')[2]).toHaveLength(60);
  });

  it('shows one record as aligned field: value lines', () => {
    expect(formatRecord({ id: 'p1', longerName: { a: 1 } }, ['id', 'longerName'])).toBe('id:         p1\nlongerName: {"a":1}\n');
  });

  it('writes nothing as "-"', () => {
    expect([null, undefined, '', []].map(cellText)).toEqual(['-', '-', '-', '-']);
  });
});
