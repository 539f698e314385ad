import { OutputCoalescer, type CoalescerClock, type TerminalChunk } from './output-coalescer';

/** A clock that only moves when the test says so, firing due timers in order. */
class ManualClock implements CoalescerClock {
  private t = 1_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimer = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      this.clearTimer(due.id);
      due.fn();
    }
    this.t = end;
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (c: TerminalChunk) => new TextDecoder().decode(c.data);

describe(OutputCoalescer.name, () => {
  let clock: ManualClock;
  let chunks: TerminalChunk[];
  const make = (opts: { maxBytes?: number; firstIndex?: number; baseOffsetMs?: number; quietDelayMs?: number } = {}) =>
    new OutputCoalescer({ onChunk: (c) => chunks.push(c), clock, ...opts });

  beforeEach(() => {
    clock = new ManualClock();
    chunks = [];
  });

  it('gathers writes that arrive within 16 ms into one chunk', () => {
    const sut = make({ quietDelayMs: 16 });
    clock.advance(5);
    sut.push(bytes('a'));
    clock.advance(10);
    sut.push(bytes('b'));
    expect(chunks).toHaveLength(0);
    clock.advance(6);
    expect(chunks.map(text)).toEqual(['ab']);
    expect(chunks[0]).toMatchObject({ index: 0, offsetMs: 5 });
  });

  it('sends output after a quiet spell within 2 ms (an echoed keystroke), and steady output in 16 ms frames', () => {
    const sut = make();
    sut.push(bytes('k'));
    clock.advance(1);
    sut.push(bytes('e'));
    expect(chunks).toHaveLength(0);
    clock.advance(1);
    expect(chunks.map(text)).toEqual(['ke']);
    // Right after a chunk, output keeps coming: it waits for the frame.
    clock.advance(3);
    sut.push(bytes('y'));
    clock.advance(15);
    expect(chunks.map(text)).toEqual(['ke']);
    clock.advance(1);
    expect(chunks.map(text)).toEqual(['ke', 'y']);
    // Quiet again for a frame: the next keystroke's echo is prompt.
    clock.advance(100);
    sut.push(bytes('s'));
    clock.advance(2);
    expect(chunks.map(text)).toEqual(['ke', 'y', 's']);
  });

  it('cuts the answer to a keystroke after 2 ms even right after a chunk, and only for a while', () => {
    const sut = make();
    sut.push(bytes('a'));
    clock.advance(2);
    expect(chunks.map(text)).toEqual(['a']);
    // 5 ms later a keystroke is typed and echoed: not a quiet spell, but it is an answer.
    clock.advance(5);
    sut.expedite();
    sut.push(bytes('k'));
    clock.advance(2);
    expect(chunks.map(text)).toEqual(['a', 'k']);
    // Long after the keystroke, busy output waits for the frame again.
    clock.advance(70);
    sut.push(bytes('x'));
    clock.advance(5);
    sut.push(bytes('y'));
    clock.advance(2);
    expect(chunks.map(text)).toEqual(['a', 'k', 'x']);
    clock.advance(15);
    expect(chunks.map(text)).toEqual(['a', 'k', 'x', 'y']);
  });

  it('brings a pending frame forward when a keystroke arrives', () => {
    const sut = make();
    sut.push(bytes('a'));
    clock.advance(2);
    clock.advance(3);
    sut.push(bytes('busy'));
    clock.advance(1);
    sut.expedite();
    clock.advance(2);
    expect(chunks.map(text)).toEqual(['a', 'busy']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stamps each chunk with the offset of its first byte and counts chunks up', () => {
    const sut = make();
    sut.push(bytes('one'));
    clock.advance(16);
    clock.advance(484);
    sut.push(bytes('two'));
    clock.advance(16);
    expect(chunks.map((c) => [c.index, c.offsetMs, text(c)])).toEqual([
      [0, 0, 'one'],
      [1, 500, 'two'],
    ]);
  });

  it('cuts at 64 KiB at once, without waiting for the timer, and never exceeds it', () => {
    const sut = make();
    sut.push(new Uint8Array(160 * 1024).fill(120));
    expect(chunks.map((c) => c.data.byteLength)).toEqual([64 * 1024, 64 * 1024]);
    clock.advance(16);
    expect(chunks.map((c) => c.data.byteLength)).toEqual([64 * 1024, 64 * 1024, 32 * 1024]);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('fills a chunk across several writes up to the byte limit', () => {
    const sut = make({ maxBytes: 4 });
    sut.push(bytes('abc'));
    sut.push(bytes('defgh'));
    expect(chunks.map(text)).toEqual(['abcd', 'efgh']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps every byte in order whatever the write pattern', () => {
    const sut = make({ maxBytes: 7 });
    let expected = '';
    for (let i = 0; i < 200; i++) {
      const piece = `${i},`.repeat(i % 5);
      expected += piece;
      sut.push(bytes(piece));
      clock.advance(i % 3 === 0 ? 20 : 2);
    }
    sut.close();
    expect(chunks.map(text).join('')).toBe(expected);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.every((c, i) => i === 0 || c.offsetMs >= chunks[i - 1].offsetMs)).toBe(true);
  });

  it('owns its bytes: a reused input buffer does not change a pending chunk', () => {
    const sut = make();
    const buf = bytes('abc');
    sut.push(buf);
    buf.fill(0);
    sut.flush();
    expect(text(chunks[0])).toBe('abc');
  });

  it('flushes what is pending on close and refuses more', () => {
    const sut = make();
    sut.push(bytes('bye'));
    sut.close();
    expect(chunks.map(text)).toEqual(['bye']);
    expect(clock.pendingTimers).toBe(0);
    expect(() => sut.push(bytes('x'))).toThrow(/closed/);
  });

  it('emits nothing for an idle terminal', () => {
    const sut = make();
    clock.advance(1_000);
    sut.flush();
    expect(chunks).toEqual([]);
  });

  it('continues an earlier run of the session from its last index and offset', () => {
    const sut = make({ firstIndex: 42, baseOffsetMs: 60_000 });
    clock.advance(3);
    sut.push(bytes('again'));
    sut.flush();
    expect(chunks[0]).toMatchObject({ index: 42, offsetMs: 60_003 });
    expect(sut.nextChunkIndex).toBe(43);
  });
});
