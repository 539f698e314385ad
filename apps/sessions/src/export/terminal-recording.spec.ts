import { terminalChunks } from './terminal-recording';

const enc = (s: string) => new TextEncoder().encode(s);

describe(terminalChunks.name, () => {
  it('puts frames on one clock in seconds', () => {
    expect(terminalChunks([{ offsetMs: 0, data: enc('a') }, { offsetMs: 1500, data: enc('b') }]).chunks).toEqual([
      { t: 0, data: 'a' },
      { t: 1.5, data: 'b' },
    ]);
  });

  it('continues a restarted run after the previous one instead of going back in time', () => {
    const { chunks } = terminalChunks([{ offsetMs: 1000, data: enc('run0') }, { offsetMs: 2000, data: enc('.') }, { offsetMs: 10, data: enc('run1') }]);
    expect(chunks.map((c) => c.t)).toEqual([1, 2, 2.01]);
  });

  it('keeps a character whose bytes were split across two frames', () => {
    const bytes = enc('é');
    expect(terminalChunks([{ offsetMs: 0, data: bytes.slice(0, 1) }, { offsetMs: 5, data: bytes.slice(1) }]).chunks.map((c) => c.data).join('')).toBe('é');
  });

  it('cuts at maxChars and says so', () => {
    const sut = terminalChunks([{ offsetMs: 0, data: enc('abc') }, { offsetMs: 1, data: enc('def') }], 4);
    expect(sut).toEqual({ chunks: [{ t: 0, data: 'abc' }], truncated: true });
  });
});
