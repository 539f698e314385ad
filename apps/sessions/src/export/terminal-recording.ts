import type { TerminalChunk } from './asciicast';

/** One message of `<ns>.term.<sessionId>` as stored: its offset header and bytes. */
export interface TerminalFrame {
  offsetMs: number;
  data: Uint8Array;
}

/**
 * Frames → chunks on one clock. Offsets count from the start of each run's terminal, so a
 * restart starts them over: a run's offsets continue after the previous run's last one.
 * Bytes are decoded as one stream, so a character split across frames stays whole.
 * `maxChars` bounds the text (an export is answered in one message); the rest is cut.
 */
export function terminalChunks(frames: TerminalFrame[], maxChars = Number.POSITIVE_INFINITY): { chunks: TerminalChunk[]; truncated: boolean } {
  const decoder = new TextDecoder('utf-8');
  const chunks: TerminalChunk[] = [];
  let base = 0;
  let previous = 0;
  let chars = 0;
  for (const f of frames) {
    const offset = Number.isFinite(f.offsetMs) && f.offsetMs >= 0 ? f.offsetMs : previous;
    if (offset < previous) base += previous;
    previous = offset;
    const data = decoder.decode(f.data, { stream: true });
    if (chars + data.length > maxChars) return { chunks, truncated: true };
    chars += data.length;
    if (data) chunks.push({ t: (base + offset) / 1000, data });
  }
  const rest = decoder.decode();
  if (rest) chunks.push({ t: (base + previous) / 1000, data: rest });
  return { chunks, truncated: false };
}
