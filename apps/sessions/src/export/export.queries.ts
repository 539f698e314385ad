import { z } from 'zod';
import { DeliverPolicy } from '@nats-io/jetstream';
import { DomainError, IdSchema, runnerOfTerminalSubject, TERMINAL_OFFSET_HEADER } from '@baton/events';
import { defineQuery, QueryClient, QueryError, type Broker } from '@baton/event-store';
import type { LoadSessionEvents } from '../session/replay.queries';
import { replaySession } from '../session/replay';
import { placedRunners } from '../session/placed-runners';
import { timelineMarkers, toAsciicast } from './asciicast';
import { terminalChunks, type TerminalFrame } from './terminal-recording';
import { toMarkdownTranscript, type TranscriptMessage } from './transcript';

/** An answer travels in one NATS message (1 MiB by default): recordings are cut below that. */
export const EXPORT_MAX_CHARS = 700_000;

/**
 * Every stored frame of a session's terminal, oldest first (`<NS>_TERMINAL`, bounded by
 * age/bytes), written by the runners it was placed on: what another runner wrote under its
 * id is not the session's (issue #12).
 */
export async function readTerminal(broker: Broker, sessionId: string, runners: readonly string[]): Promise<TerminalFrame[]> {
  const stream = broker.names.streams.terminal;
  const subject = broker.names.termOfSession(sessionId);
  const last = await broker.jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
  if (!last) return [];
  const consumer = await broker.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 1_000 });
  const frames: TerminalFrame[] = [];
  try {
    for await (const m of messages) {
      if (runners.includes(runnerOfTerminalSubject(m.subject) ?? '')) frames.push({ offsetMs: Number(m.headers?.get(TERMINAL_OFFSET_HEADER)), data: m.data });
      if (m.seq >= last.seq || m.info.pending === 0) break;
    }
  } finally {
    messages.stop();
  }
  return frames;
}

interface AttemptMessage {
  role: TranscriptMessage['role'];
  kind: string;
  text: string;
  sessionId: string | null;
  at: string;
}

/**
 * Recording (DESIGN §6): a session as asciicast v2 (plays in `asciinema play`, timeline
 * entries as markers) and as a Markdown transcript. Built from the log alone — the
 * session's events and its terminal stream — plus, for the transcript, its attempt's
 * conversation when the tasks service answers.
 */
export function exportQueries(load: LoadSessionEvents, broker: () => Broker | null) {
  const needBroker = () => {
    const b = broker();
    if (!b) throw new QueryError('unavailable', 'the sessions service is still starting');
    return b;
  };
  const replayOf = async (sessionId: string) => {
    const events = await load(sessionId);
    if (!events.length) throw new DomainError('not_found', `session ${sessionId} does not exist`, { sessionId });
    return { events, replay: replaySession(events) };
  };
  return {
    export_asciicast: defineQuery(z.object({ sessionId: IdSchema }), async ({ sessionId }) => {
      const { events, replay } = await replayOf(sessionId);
      const frames = await readTerminal(needBroker(), sessionId, placedRunners(events));
      const { chunks, truncated } = terminalChunks(frames, EXPORT_MAX_CHARS);
      const startedAt = events.find((e) => e.type === 'session.spawned')?.occurredAt ?? events[0].occurredAt;
      const name = replay.state.facts?.name || replay.state.template?.spec.name || sessionId;
      const content = toAsciicast(
        { width: 120, height: 36, timestamp: Date.parse(startedAt) / 1000, title: name },
        chunks,
        timelineMarkers(startedAt, replay.timeline),
      );
      return { sessionId, format: 'asciicast-v2', fileName: `${sessionId}.cast`, content, truncated, frames: frames.length };
    }),
    export_transcript: defineQuery(z.object({ sessionId: IdSchema }), async ({ sessionId }) => {
      const { replay } = await replayOf(sessionId);
      const attemptId = replay.state.facts?.attemptId;
      let messages: TranscriptMessage[] = [];
      if (attemptId) {
        const page = await new QueryClient(needBroker())
          .ask<{ items: AttemptMessage[] }>('tasks', 'list_attempt_messages', { attemptId, limit: 1_000 }, { timeoutMs: 3_000 })
          .catch(() => ({ items: [] as AttemptMessage[] }));
        messages = page.items.map((m) => ({ at: m.at, role: m.role, kind: m.kind, text: m.text, sessionId: m.sessionId }));
      }
      const title = replay.state.facts?.name || replay.state.template?.spec.name || sessionId;
      const content = toMarkdownTranscript({ sessionId, title, replay, messages });
      return { sessionId, format: 'markdown', fileName: `${sessionId}.md`, content: content.slice(0, EXPORT_MAX_CHARS), truncated: content.length > EXPORT_MAX_CHARS };
    }),
  };
}
