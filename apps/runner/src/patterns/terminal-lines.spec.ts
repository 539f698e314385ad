import { TerminalLines } from './terminal-lines';

const bytes = (s: string) => Buffer.from(s, 'utf8');

function collect(opts: { maxLine?: number; overlap?: number } = {}) {
  const lines: { line: string; seen: number }[] = [];
  const sut = new TerminalLines({ ...opts, onLine: (line, seen) => lines.push({ line, seen }) });
  return { sut, lines, texts: () => lines.map((l) => l.line) };
}

describe(TerminalLines.name, () => {
  it('splits on \\n, \\r\\n and a bare \\r (progress bars) and drops empty lines', () => {
    const { sut, texts } = collect();
    sut.push(bytes('one\r\ntwo\nthree 10%\rthree 20%\r\n\r\n'));
    expect(texts()).toEqual(['one', 'two', 'three 10%', 'three 20%']);
  });

  it('removes colours, OSC titles and charset switches, also when a chunk ends inside them', () => {
    const { sut, texts } = collect();
    const stream = '\x1b]0;title\x07\x1b[1;32mready\x1b[0m on \x1b(Bport 3000\r\n';
    for (const ch of stream) sut.push(bytes(ch)); // one character per chunk
    expect(texts()).toEqual(['ready on port 3000']);
  });

  it('decodes UTF-8 whose bytes are split across chunks', () => {
    const { sut, texts } = collect();
    const all = bytes('prix: 5 € ✓\n');
    for (let i = 0; i < all.length; i++) sut.push(all.subarray(i, i + 1));
    expect(texts()).toEqual(['prix: 5 € ✓']);
  });

  it('treats cursor jumps as line breaks and cursor-right as blanks (TUI redraws)', () => {
    const { sut, texts } = collect();
    sut.push(bytes('\x1b[2;1Hfirst row\x1b[3;1Hsecond\x1b[2Crow\x1b[K\n'));
    expect(texts()).toEqual(['first row', 'second row']);
  });

  it('treats a move to a column of the same line as a blank (Claude Code places each word that way)', () => {
    const { sut, texts } = collect();
    sut.push(bytes('\x1b[3GDo\x1b[6Gyou\x1b[10Gwant\x1b[15Gto\x1b[18Guse\x1b[22Gthis\x1b[27GAPI\x1b[31Gkey?\r\n'));
    expect(texts()).toEqual([' Do you want to use this API key?']);
  });

  it('hands over an unfinished line on peek, then only what is new when it ends', () => {
    const { sut, lines } = collect();
    sut.push(bytes('Continue? (y/n) '));
    sut.peek();
    sut.peek(); // nothing new: nothing handed over
    sut.push(bytes('y\n'));
    expect(lines).toEqual([
      { line: 'Continue? (y/n) ', seen: 0 },
      { line: 'Continue? (y/n) y', seen: 16 },
    ]);
  });

  it('bounds a line that never ends, keeping an overlap so a match across the cut is still seen', () => {
    const { sut, lines } = collect({ maxLine: 100, overlap: 20 });
    sut.push(bytes('x'.repeat(95) + 'REA'));
    sut.push(bytes('DY' + 'y'.repeat(50)));
    sut.end();
    expect(lines[0].line).toHaveLength(100);
    expect(lines[1].seen).toBe(20);
    expect(lines.map((l) => l.line).join('|')).toContain('READY');
    expect(Math.max(...lines.map((l) => l.line.length))).toBeLessThanOrEqual(100);
  });

  it('drops a lone escape and control characters, keeps tabs', () => {
    const { sut, texts } = collect();
    sut.push(bytes('a\x1bZb\x07c\x08d\te\n'));
    expect(texts()).toEqual(['abcd\te']);
  });

  it('does not hold an endless unterminated OSC forever', () => {
    const { sut, texts } = collect();
    sut.push(bytes('\x1b]' + 'z'.repeat(5_000)));
    sut.push(bytes('after\n'));
    expect(texts().join('')).toContain('after');
  });
});
