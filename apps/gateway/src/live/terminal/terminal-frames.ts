import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { decodeTerminalChunk, type Names } from '@baton/events';

/*
 * The terminal contract is libs/events' (terminal-contract.ts). Reading a session takes every
 * runner's subject of it; the caller keeps the runners that hosted it.
 */

export interface TerminalFrame {
  /** Stream sequence of the message. */
  seq: number;
  chunk: number;
  offsetMs: number;
  data: Uint8Array;
  /** The runner that wrote it (its subject's last token). */
  runnerId: string;
}

export type TerminalBroker = { js: JetStreamClient; jsm: JetStreamManager; names: Names };

export function toFrame(m: Pick<JsMsg, 'seq' | 'headers' | 'data' | 'subject'>): TerminalFrame | null {
  const chunk = decodeTerminalChunk(m);
  return chunk && { seq: m.seq, ...chunk };
}

/** The stream sequence of the session's last stored chunk (any runner's), or null when it has none. */
export async function lastStoredFrame(broker: TerminalBroker, sessionId: string): Promise<{ seq: number; chunk: number } | null> {
  const { jsm, names } = broker;
  const last = await jsm.streams.getMessage(names.streams.terminal, { last_by_subj: names.termOfSession(sessionId) });
  if (!last) return null;
  return { seq: last.seq, chunk: decodeTerminalChunk({ subject: last.subject, headers: last.header, data: last.data })?.chunk ?? -1 };
}

export async function terminalStreamLastSeq(broker: TerminalBroker): Promise<number> {
  return (await broker.jsm.streams.info(broker.names.streams.terminal)).state.last_seq;
}

/** Every stored chunk of the session up to stream sequence `toSeq` from the runners `keep` accepts, in chunk order, each once. */
export async function readStoredFrames(broker: TerminalBroker, sessionId: string, toSeq: number, keep: (runnerId: string) => Promise<boolean>): Promise<TerminalFrame[]> {
  const { js, names } = broker;
  const verdicts = new Map<string, Promise<boolean>>();
  const kept = (runnerId: string) => verdicts.get(runnerId) ?? verdicts.set(runnerId, keep(runnerId)).get(runnerId)!;
  const consumer = await js.consumers.get(names.streams.terminal, { filter_subjects: names.termOfSession(sessionId), deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 512 });
  const byChunk = new Map<number, TerminalFrame>();
  try {
    for await (const m of messages) {
      const frame = toFrame(m);
      // Another runner's chunk under this session's id must not take the place of the session's own.
      if (frame && !byChunk.has(frame.chunk) && (await kept(frame.runnerId))) byChunk.set(frame.chunk, frame);
      if (m.seq >= toSeq || m.info.pending === 0) break;
    }
  } finally {
    messages.stop();
    // Ordered consumers linger on the server for minutes after a stop unless deleted.
    void consumer.delete().catch(() => undefined);
  }
  return [...byChunk.values()].sort((a, b) => a.chunk - b.chunk);
}

/** Follows the session's chunks from stream sequence `fromSeq` (inclusive), in stream order. */
export async function followFrames(broker: TerminalBroker, sessionId: string, fromSeq: number, onFrame: (f: TerminalFrame) => void): Promise<{ stop(): void }> {
  const { js, names } = broker;
  const consumer = await js.consumers.get(names.streams.terminal, {
    filter_subjects: names.termOfSession(sessionId),
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
  });
  const messages = await consumer.consume({
    callback: (m) => {
      const frame = toFrame(m);
      if (frame) onFrame(frame);
    },
  });
  return {
    stop: () => {
      messages.stop();
      void consumer.delete().catch(() => undefined);
    },
  };
}
