import { z } from 'zod';

/*
 * The terminal contract, in one place (issue #15 item 4): what a runner writes to
 * `<NS>_TERMINAL`, what keystroke sizes look like on core NATS, and the live screen a runner
 * serves. The runner writes it; the gateway, the sessions export and the sessions service's
 * start (where a terminal stands) read it.
 *
 * One message per chunk on `<ns>.term.<sessionId>.<runnerId>` (subjects.ts), raw bytes, with:
 */
export const TERMINAL_OFFSET_HEADER = 'Baton-Offset-Ms';
export const TERMINAL_CHUNK_HEADER = 'Baton-Chunk';

export interface TerminalChunkMessage {
  /** The chunk's index within the session's terminal: runs and runners continue one numbering. */
  chunk: number;
  /** Milliseconds since the terminal's first run. */
  offsetMs: number;
  data: Uint8Array;
  /** The runner that wrote it: its subject's last token. */
  runnerId: string;
}

/** A stored terminal message as the chunk it carries, or null when it is not one (bad headers, another subject). */
export function decodeTerminalChunk(m: { subject: string; headers?: { get(name: string): string } | undefined; data: Uint8Array }): TerminalChunkMessage | null {
  // A missing header reads as '' (nats.js), and Number('') is 0: not a number here.
  const header = (name: string) => {
    const v = m.headers?.get(name);
    return v ? Number(v) : Number.NaN;
  };
  const chunk = header(TERMINAL_CHUNK_HEADER);
  const offsetMs = header(TERMINAL_OFFSET_HEADER);
  const runnerId = runnerOfTerminalSubject(m.subject);
  if (!Number.isInteger(chunk) || chunk < 0 || !Number.isFinite(offsetMs) || !runnerId) return null;
  return { chunk, offsetMs, data: m.data, runnerId };
}

/** The runner that wrote a terminal message, from its subject `<ns>.term.<sessionId>.<runnerId>`; null for any other shape. */
export function runnerOfTerminalSubject(subject: string): string | null {
  const parts = subject.split('.');
  return parts.length === 4 && parts[1] === 'term' && parts[3] ? parts[3] : null;
}

/** A PTY size on `<ns>.resize.<runnerId>.<sessionId>`, as JSON. */
export const TerminalSizeSchema = z.object({ cols: z.number().int().min(1).max(1_000), rows: z.number().int().min(1).max(500) });
export type TerminalSize = z.infer<typeof TerminalSizeSchema>;

/** A size message's size, or null for anything else (a bad message is ignored, never thrown). */
export function parseTerminalSize(data: Uint8Array): TerminalSize | null {
  try {
    const parsed = TerminalSizeSchema.safeParse(JSON.parse(new TextDecoder().decode(data)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The runner's live screen of a session (`GET /sessions/:id/screen`), exactly as of chunk `chunk`. */
export const RunnerScreenSchema = z.object({
  cols: z.number().int().min(1).max(10_000),
  rows: z.number().int().min(1).max(10_000),
  data: z.string(),
  // A runner that does not say which chunk its screen is at cannot be continued exactly.
  chunk: z.number().int().min(-1),
  alternateScreen: z.boolean().optional(),
});
