import { composeReview, languageOf } from './review-comments';

describe(composeReview.name, () => {
  it('writes the comments file by file, in line order, quoting each line', () => {
    const sut = composeReview(
      [
        { path: 'src/b.ts', line: 9, side: 'new', code: '  return x;', text: 'Return y instead' },
        { path: 'src/a.ts', line: 30, side: 'new', code: 'const a = 1;', text: 'Name it count' },
        { path: 'src/a.ts', line: 3, side: 'old', code: 'import z', text: 'Keep this import' },
        { path: 'src/a.ts', line: 4, side: 'new', code: 'x', text: '   ' },
      ],
      'Nearly there.',
    );
    expect(sut).toBe(
      [
        'Nearly there.',
        'Review comments (3):',
        '\nsrc/a.ts',
        '- line 3 (removed): `import z`\n  Keep this import',
        '- line 30: `const a = 1;`\n  Name it count',
        '\nsrc/b.ts',
        '- line 9: `return x;`\n  Return y instead',
      ].join('\n'),
    );
  });
});

describe(languageOf.name, () => {
  it.each([
    ['src/app.tsx', 'typescript'],
    ['README.md', 'markdown'],
    ['deploy/Dockerfile', 'dockerfile'],
    ['a/b/c.unknown', null],
    ['Makefile', null],
  ])('%s → %s', (path, lang) => expect(languageOf(path)).toBe(lang));
});
