import { z } from 'zod';
import { DomainError, IdSchema, type EventEnvelope } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import { replaySession } from './replay';

/** Reads one session's subject from the event log (`baton.evt.session.<id>`), oldest first. */
export type LoadSessionEvents = (sessionId: string) => Promise<(EventEnvelope & { position?: { seq: number } })[]>;

/**
 * Replay from the log alone (DESIGN §4): works with every read model dropped. Needs the
 * event store, which the service wires in (ReadSide has only the database).
 */
export function replayQueries(load: LoadSessionEvents) {
  return {
    replay_session: defineQuery(
      z.object({ sessionId: IdSchema, until: z.iso.datetime().optional(), untilSeq: z.number().int().min(0).optional() }),
      async ({ sessionId, until, untilSeq }) => {
        const events = await load(sessionId);
        if (!events.length) throw new DomainError('not_found', `session ${sessionId} does not exist`, { sessionId });
        const r = replaySession(events, { ...(until ? { untilTime: until } : {}), ...(untilSeq !== undefined ? { untilSeq } : {}) });
        const s = r.state;
        return {
          sessionId,
          at: r.at,
          status: r.status,
          statuses: r.statuses,
          timeline: r.timeline,
          inputs: r.inputs,
          runnerId: s.runnerId,
          ready: s.ready,
          restarts: s.restarts,
          items: s.items,
          usage: s.usage,
          workers: s.workers,
        };
      },
    ),
  };
}
