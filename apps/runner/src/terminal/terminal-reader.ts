import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { decodeTerminalChunk, type Names } from '@baton/events';

export interface TerminalFrame {
  chunk: number;
  offsetMs: number;
  data: Uint8Array;
}

export interface ReadTerminalOptions {
  /** Inclusive lower bound on a chunk's offset (ms since the terminal started). */
  fromMs?: number;
  /** Inclusive upper bound. */
  untilMs?: number;
}

/**
 * A chunk the publisher had to retry can sit in the stream after chunks that came later
 * (the publisher gives up on a chunk within about a minute). Reading this far past
 * `untilMs` and sorting by chunk index gives the true order without scanning to the end.
 */
const REORDER_SLACK_MS = 120_000;

type ReaderBroker = { js: JetStreamClient; jsm: JetStreamManager; names: Names };

/**
 * Reads a session's terminal output back from `<NS>_TERMINAL` with an ordered consumer, from
 * every runner's subject of it: a tool for tests and operators with a service's credentials
 * (a runner's may not read the log). Readers that show a terminal to users take only the
 * session's own runners' chunks (gateway terminal-frames, sessions export).
 */
export class TerminalReader {
  constructor(private readonly broker: ReaderBroker) {}

  /** Chunks of the session between the offsets, in chunk order, each once. */
  async read(sessionId: string, opts: ReadTerminalOptions = {}): Promise<TerminalFrame[]> {
    const fromMs = opts.fromMs ?? 0;
    const untilMs = opts.untilMs ?? Number.POSITIVE_INFINITY;
    const byChunk = new Map<number, TerminalFrame>();
    for await (const frame of this.scan(sessionId, untilMs + REORDER_SLACK_MS)) {
      if (frame.offsetMs >= fromMs && frame.offsetMs <= untilMs) byChunk.set(frame.chunk, frame);
    }
    return [...byChunk.values()].sort((a, b) => a.chunk - b.chunk);
  }

  /** All the session's bytes up to `untilMs`, concatenated: what a terminal had been fed by then. */
  async bytesUntil(sessionId: string, untilMs?: number): Promise<Uint8Array> {
    return concatFrames(await this.read(sessionId, { untilMs }));
  }

  /** Frames in stream order, stopping at the subject's last message as of the call. */
  private async *scan(sessionId: string, stopAfterMs: number): AsyncGenerator<TerminalFrame> {
    const { js, jsm, names } = this.broker;
    const subject = names.termOfSession(sessionId);
    const last = await jsm.streams.getMessage(names.streams.terminal, { last_by_subj: subject }).catch(() => null);
    if (!last) return;
    const consumer = await js.consumers.get(names.streams.terminal, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 512 });
    try {
      for await (const m of messages) {
        // A message that names no chunk is not terminal output: skipped, as every reader does.
        const c = decodeTerminalChunk(m);
        if (c) yield { chunk: c.chunk, offsetMs: c.offsetMs, data: c.data };
        if (m.seq >= last.seq || m.info.pending === 0 || (c && c.offsetMs > stopAfterMs)) break;
      }
    } finally {
      messages.stop();
    }
  }
}


export function concatFrames(frames: readonly TerminalFrame[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.data.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.byteLength;
  }
  return out;
}

export interface PacedReplayOptions {
  /** 2 plays twice as fast. */
  speed?: number;
  /** Longer silences are shortened to this (like asciinema's idle time limit). */
  maxGapMs?: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Writes frames with the pauses between their offsets, so a replay looks like the original.
 * The first frame is written at once; an aborted signal stops between frames.
 */
export async function replayWithPacing(
  frames: Iterable<TerminalFrame> | AsyncIterable<TerminalFrame>,
  write: (frame: TerminalFrame) => void | Promise<void>,
  opts: PacedReplayOptions = {},
): Promise<void> {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
  const maxGap = opts.maxGapMs ?? Number.POSITIVE_INFINITY;
  const wait = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let previous: number | null = null;
  for await (const frame of frames) {
    if (opts.signal?.aborted) return;
    if (previous !== null) {
      const gap = Math.min(Math.max(0, frame.offsetMs - previous), maxGap) / speed;
      if (gap > 0) await wait(gap);
      if (opts.signal?.aborted) return;
    }
    previous = frame.offsetMs;
    await write(frame);
  }
}
