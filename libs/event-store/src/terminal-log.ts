import type { JetStreamManager } from '@nats-io/jetstream';
import { decodeTerminalChunk, type Names } from '@baton/events';

export interface TerminalPosition {
  /** The chunk index the session's terminal is at (-1: no chunk yet). */
  lastChunk: number;
  /** That chunk's offset, in ms since the terminal's first run. */
  lastOffsetMs: number;
  /** Its stream sequence. */
  seq: number;
}

/**
 * Where a session's terminal stands: its newest chunk over the runners that hosted it (and
 * only those: what another runner wrote under the session's id is not the session's). A
 * later run, on the same runner or another, continues after it.
 */
export async function lastTerminalChunk(broker: { jsm: JetStreamManager; names: Names }, sessionId: string, runnerIds: Iterable<string>): Promise<TerminalPosition | null> {
  const { jsm, names } = broker;
  const lasts = await Promise.all(
    [...new Set(runnerIds)].map((runnerId) => jsm.streams.getMessage(names.streams.terminal, { last_by_subj: names.term(sessionId, runnerId) }).catch(() => null)),
  );
  let best: TerminalPosition | null = null;
  for (const m of lasts) {
    if (!m) continue;
    const c = decodeTerminalChunk({ subject: m.subject, headers: m.header, data: m.data });
    if (c && (!best || c.chunk > best.lastChunk)) best = { lastChunk: c.chunk, lastOffsetMs: Math.max(0, Math.floor(c.offsetMs)), seq: m.seq };
  }
  return best;
}
