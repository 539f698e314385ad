import { parseNameStatus, parseSection, splitPatch } from './diff';

describe('diff parsing', () => {
  it('reads name-status -z, renames and paths with spaces, tabs or newlines included', () => {
    const z = ['M', 'src/a.ts', 'R087', 'old name.txt', 'new\tname.txt', 'A', 'with\nnewline', 'D', 'gone.md', 'T', 'link', ''].join('\0');
    expect(parseNameStatus(z)).toEqual([
      { status: 'modified', path: 'src/a.ts', oldPath: null },
      { status: 'renamed', oldPath: 'old name.txt', path: 'new\tname.txt' },
      { status: 'added', path: 'with\nnewline', oldPath: null },
      { status: 'deleted', path: 'gone.md', oldPath: null },
      { status: 'type_changed', path: 'link', oldPath: null },
    ]);
    expect(parseNameStatus('')).toEqual([]);
  });

  it('splits a patch at its file headers only', () => {
    const patch = [
      'diff --git a/x b/x',
      'index 1..2 100644',
      '--- a/x',
      '+++ b/x',
      '@@ -1 +1 @@',
      '-diff --git a/fake b/fake',
      '+ok',
      'diff --git a/y b/y',
      'new file mode 100644',
      '',
    ].join('\n');
    const sections = splitPatch(patch);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toContain('-diff --git a/fake b/fake');
  });

  it('turns hunks into numbered lines, whatever the lines contain', () => {
    const section = [
      'diff --git a/f b/f',
      '--- a/f',
      '+++ b/f',
      '@@ -3,4 +3,4 @@ function demo() {',
      ' keep',
      '--- looks like a header',
      '+++ also looks like one',
      ' ',
      '-last',
      '\\ No newline at end of file',
      '+last',
      '@@ -20 +20,2 @@',
      ' tail',
      '+added',
    ].join('\n');
    const parsed = parseSection(section);
    expect(parsed).toMatchObject({ binary: false, additions: 3, deletions: 2 });
    expect(parsed.hunks[0]).toMatchObject({ oldStart: 3, oldLines: 4, newStart: 3, newLines: 4, section: 'function demo() {' });
    expect(parsed.hunks[0].lines).toEqual([
      { kind: 'context', text: 'keep', oldLine: 3, newLine: 3 },
      { kind: 'del', text: '-- looks like a header', oldLine: 4 },
      { kind: 'add', text: '++ also looks like one', newLine: 4 },
      { kind: 'context', text: '', oldLine: 5, newLine: 5 },
      { kind: 'del', text: 'last', oldLine: 6, noNewline: true },
      { kind: 'add', text: 'last', newLine: 6 },
    ]);
    expect(parsed.hunks[1]).toMatchObject({ oldStart: 20, oldLines: 1, newStart: 20, newLines: 2 });
  });

  it('marks binary files and gives them no hunks', () => {
    const parsed = parseSection('diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n');
    expect(parsed).toEqual({ binary: true, hunks: [], additions: 0, deletions: 0 });
  });
});
