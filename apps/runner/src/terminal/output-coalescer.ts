/** One published piece of a session's terminal output. */
export interface TerminalChunk {
  /** 0, 1, 2, … per session: the order and the de-duplication key. */
  index: number;
  /** Milliseconds since the session's terminal started, when the chunk's first byte arrived. */
  offsetMs: number;
  data: Uint8Array;
}

/** Time and timers, injectable so the coalescing rules are tested without waiting. */
export interface CoalescerClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: CoalescerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface OutputCoalescerOptions {
  onChunk(chunk: TerminalChunk): void;
  /** A chunk is cut at most this long after its first byte (about one frame). */
  maxDelayMs?: number;
  /**
   * …or this long when it starts after a quiet spell (no chunk for `maxDelayMs`) or soon
   * after a keystroke (`expedite`): an echo or a lone prompt goes out at once, while steady
   * output still comes in frames.
   */
  quietDelayMs?: number;
  /** How long after a keystroke output counts as its answer (cut after `quietDelayMs`). */
  expediteMs?: number;
  /** …or as soon as it holds this many bytes. */
  maxBytes?: number;
  clock?: CoalescerClock;
  /** Clock reading at which the terminal started; defaults to construction time. */
  startedAt?: number;
  /** First chunk index, for a publisher that continues an earlier run of the same session. */
  firstIndex?: number;
  /** Offset added to every chunk, with `firstIndex`, so offsets keep growing across runs. */
  baseOffsetMs?: number;
}

/**
 * Turns the PTY's many small writes into chunks of about 16 ms or 64 KiB, whichever comes
 * first, so the log gets few messages per second while a viewer still sees smooth output.
 * Output after a quiet spell waits only `quietDelayMs` (2 ms): typing feels immediate (the
 * keystroke round trip), and the writes of one burst still travel together.
 */
export class OutputCoalescer {
  private readonly maxDelayMs: number;
  private readonly quietDelayMs: number;
  private readonly maxBytes: number;
  private lastFlushAt = -Infinity;
  private readonly clock: CoalescerClock;
  private readonly startedAt: number;
  private readonly baseOffsetMs: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingOffset = 0;
  private lastOffset = 0;
  private nextIndex: number;
  private timer: unknown = null;
  private timerDueAt = Infinity;
  private expeditedUntil = -Infinity;
  private readonly expediteMs: number;
  private closed = false;

  constructor(private readonly opts: OutputCoalescerOptions) {
    this.maxDelayMs = opts.maxDelayMs ?? 16;
    this.quietDelayMs = Math.min(opts.quietDelayMs ?? 2, this.maxDelayMs);
    // 64 KiB: a fast program's output costs half the messages (publish, ack, delivery, socket.io
    // frame, viewer ack) of 32 KiB; one session's throughput to a viewer rose from ~0.30 to ~0.39 x raw.
    this.maxBytes = opts.maxBytes ?? 64 * 1024;
    this.clock = opts.clock ?? systemClock;
    this.startedAt = opts.startedAt ?? this.clock.now();
    this.baseOffsetMs = opts.baseOffsetMs ?? 0;
    this.nextIndex = opts.firstIndex ?? 0;
    this.lastOffset = this.baseOffsetMs;
    this.expediteMs = opts.expediteMs ?? 4 * this.maxDelayMs;
  }

  /** Index the next chunk will get. */
  get nextChunkIndex(): number {
    return this.nextIndex;
  }

  push(data: Uint8Array): void {
    if (this.closed) throw new Error('OutputCoalescer is closed');
    let rest = data;
    while (rest.byteLength > 0) {
      if (this.pendingBytes === 0) this.startChunk();
      const room = this.maxBytes - this.pendingBytes;
      const piece = rest.byteLength <= room ? rest : rest.subarray(0, room);
      // Copied now: the caller may reuse its buffer while the chunk waits for its timer.
      this.pending.push(Uint8Array.prototype.slice.call(piece));
      this.pendingBytes += piece.byteLength;
      rest = rest.subarray(piece.byteLength);
      if (this.pendingBytes >= this.maxBytes) this.flush();
    }
  }

  /**
   * Input was just typed into the PTY: the output that answers it (the echo, a redrawn
   * prompt) is cut after `quietDelayMs` rather than a whole frame, however busy the
   * terminal was. A round trip must not wait for a frame just because the previous echo
   * left less than a frame ago; the message rate stays bounded by the typing.
   */
  expedite(): void {
    if (this.closed) return;
    const now = this.clock.now();
    this.expeditedUntil = now + this.expediteMs;
    if (this.pendingBytes > 0 && this.timerDueAt > now + this.quietDelayMs) this.schedule(now, this.quietDelayMs);
  }

  /** Emits whatever is pending now (before a kill, at exit). */
  flush(): void {
    this.cancelTimer();
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : concat(this.pending, this.pendingBytes);
    const chunk: TerminalChunk = { index: this.nextIndex++, offsetMs: this.pendingOffset, data };
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlushAt = this.clock.now();
    this.opts.onChunk(chunk);
  }

  /** Flushes and refuses further input. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private startChunk(): void {
    // Whole milliseconds, never below the previous chunk's: replay pacing needs a monotonic axis.
    const now = this.clock.now();
    const offset = this.baseOffsetMs + Math.max(0, Math.floor(now - this.startedAt));
    this.pendingOffset = Math.max(offset, this.lastOffset);
    this.lastOffset = this.pendingOffset;
    const quiet = now - this.lastFlushAt >= this.maxDelayMs || now <= this.expeditedUntil;
    this.schedule(now, quiet ? this.quietDelayMs : this.maxDelayMs);
  }

  private schedule(now: number, ms: number): void {
    this.cancelTimer();
    this.timerDueAt = now + ms;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.timerDueAt = Infinity;
      this.flush();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerDueAt = Infinity;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
