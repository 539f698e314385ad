import { typedKeys } from './typed-input';

describe(typedKeys.name, () => {
  const claude = { bracketedPaste: false, enterDelayMs: 200, enter: '\r' };

  it('types raw input exactly as sent', () => {
    expect(typedKeys({ data: 'ls\r', submit: false }, claude)).toEqual([{ text: 'ls\r', delayMs: 0 }]);
  });

  it("submits a message as its text, then Enter alone after the agent's delay", () => {
    expect(typedKeys({ data: 'fix the test', submit: true }, claude)).toEqual([
      { text: 'fix the test', delayMs: 0 },
      { text: '\r', delayMs: 200 },
    ]);
  });

  it('does not submit twice a message that already ends in Enter', () => {
    expect(typedKeys({ data: 'again\r\n', submit: true }, claude).map((k) => k.text)).toEqual(['again', '\r']);
  });

  it('wraps the text in bracketed paste when the agent wants it', () => {
    const keys = typedKeys({ data: 'a\nb', submit: true }, { bracketedPaste: true, enterDelayMs: 100, enter: '\r' });
    expect(keys[0].text).toBe('\x1b[200~a\nb\x1b[201~');
  });

  it('appends Enter at once for a plain program (no adapter)', () => {
    expect(typedKeys({ data: 'yes', submit: true }, null)).toEqual([{ text: 'yes\r', delayMs: 0 }]);
  });
});
