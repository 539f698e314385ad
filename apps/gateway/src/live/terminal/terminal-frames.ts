import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Names } from '@baton/events';

/*
 * The runner's chunk format on `<NS>_TERMINAL` (apps/runner/src/terminal/terminal-publisher.ts):
 * one message per chunk on `<ns>.term.<sessionId>`, raw bytes, with these headers.
 */
export const OFFSET_HEADER = 'Baton-Offset-Ms';
export const CHUNK_HEADER = 'Baton-Chunk';

export interface TerminalFrame {
  /** Stream sequence of the message. */
  seq: number;
  chunk: number;
  offsetMs: number;
  data: Uint8Array;
}

export type TerminalBroker = { js: JetStreamClient; jsm: JetStreamManager; names: Names };

export function toFrame(m: Pick<JsMsg, 'seq' | 'headers' | 'data'>): TerminalFrame | null {
  const chunk = Number(m.headers?.get(CHUNK_HEADER));
  const offsetMs = Number(m.headers?.get(OFFSET_HEADER));
  if (!Number.isInteger(chunk) || chunk < 0 || !Number.isFinite(offsetMs)) return null;
  return { seq: m.seq, chunk, offsetMs, data: m.data };
}

/** The session's last stored chunk, or null when it has none. */
export async function lastStoredFrame(broker: TerminalBroker, sessionId: string): Promise<{ seq: number; chunk: number } | null> {
  const { jsm, names } = broker;
  const last = await jsm.streams.getMessage(names.streams.terminal, { last_by_subj: names.term(sessionId) });
  if (!last) return null;
  const chunk = Number(last.header.get(CHUNK_HEADER));
  return { seq: last.seq, chunk: Number.isInteger(chunk) ? chunk : -1 };
}

export async function terminalStreamLastSeq(broker: TerminalBroker): Promise<number> {
  return (await broker.jsm.streams.info(broker.names.streams.terminal)).state.last_seq;
}

/** Every stored chunk of the session up to stream sequence `toSeq`, in chunk order, each once. */
export async function readStoredFrames(broker: TerminalBroker, sessionId: string, toSeq: number): Promise<TerminalFrame[]> {
  const { js, names } = broker;
  const consumer = await js.consumers.get(names.streams.terminal, { filter_subjects: names.term(sessionId), deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 512 });
  const byChunk = new Map<number, TerminalFrame>();
  try {
    for await (const m of messages) {
      const frame = toFrame(m);
      if (frame && !byChunk.has(frame.chunk)) byChunk.set(frame.chunk, frame);
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
    filter_subjects: names.term(sessionId),
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
