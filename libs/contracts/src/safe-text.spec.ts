import { escapeUnsafeInJson, safeText } from './safe-text';

const ESC = '\u001b';
const BEL = '\u0007';
const OSC52 = `${ESC}]52;c;cm0gLXJmIH4=${BEL}`;

describe(safeText.name, () => {
  it.each([
    ['an OSC 52 clipboard write ended by BEL', `copy${OSC52} me`, 'copy me'],
    ['an OSC 52 ended by ESC \\', `copy${ESC}]52;c;cm0gLXJmIH4=${ESC}\\ me`, 'copy me'],
    ['an OSC 8 hyperlink', `${ESC}]8;;https://evil.example${BEL}docs${ESC}]8;;${BEL}`, 'docs'],
    ['a CSI colour', `${ESC}[1;31mred${ESC}[0m`, 'red'],
    ['a cursor move and screen clear', `a${ESC}[2J${ESC}[H${ESC}[?25lb`, 'ab'],
    ['a two-character ESC sequence', `a${ESC}cb${ESC}(Bc`, 'abc'],
    ['a lone BEL', `ding${BEL}`, 'ding'],
    ['a C1 CSI (0x9b) with its parameters', 'a\u009b31mb', 'ab'],
    ['a C1 OSC (0x9d) ended by C1 ST (0x9c)', 'a\u009d52;c;eA==\u009cb', 'ab'],
    ['other C0 controls, DEL and C1', 'a\u0000\u0008\u000b\u000c\u007f\u0085\u009fb', 'ab'],
    ['bidi overrides and isolates', 'access\u202e\u2066 level\u2069\u202a\u202b\u202c\u202d\u2067\u2068', 'access level'],
    ['a lone carriage return', 'fake\rreal', 'fakereal'],
  ])('removes %s', (_label, input, expected) => {
    expect(safeText(input, { multiline: true })).toBe(expected);
  });

  it('drops only the introducer of an unterminated string sequence: nothing is left to act on', () => {
    const sut = safeText(`a${ESC}]52;c;eA==\nnext line${BEL}`, { multiline: true });
    expect(sut).toBe('a52;c;eA==\nnext line');
  });

  it('keeps emoji, other scripts, newlines, tabs and the left/right marks', () => {
    const text = 'ok ✅ 👩‍💻 naïve 日本語 עברית\u200f مرحبا\u200e\n\tindented';
    expect(safeText(text, { multiline: true })).toBe(text);
  });

  it('turns \\r\\n into \\n', () => {
    expect(safeText('one\r\ntwo', { multiline: true })).toBe('one\ntwo');
  });

  it('makes one line of it by default: newlines and tabs become spaces', () => {
    expect(safeText(`a\nb\tc\r\nd${OSC52}`)).toBe('a b c d');
  });
});

describe(escapeUnsafeInJson.name, () => {
  it('writes C1, DEL and bidi controls as \\u escapes, so the data parses back exactly', () => {
    const value = { title: 'a\u009b31m\u202eb\u007f', fine: 'ok ✅' };
    const sut = escapeUnsafeInJson(JSON.stringify(value));
    expect(sut).toBe('{"title":"a\\u009b31m\\u202eb\\u007f","fine":"ok ✅"}');
    expect(JSON.parse(sut)).toEqual(value);
  });
});
