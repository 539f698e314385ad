import type { Actor, CommandDataOf, CommandEnvelope, MarkSessionLost, PlaceSession, ReclaimSession } from '@baton/events';
import type { Reclaim } from './liveness';
import type { Placement } from './scheduler';

/*
 * The service's own loops (scheduler, liveness watcher, timers, runner dispatcher) act
 * through commands like anyone else: the deciders decide, time is `issuedAt`. Command ids
 * are derived from what the loop saw (a session's sequence, its placement), never from a
 * clock or a counter, so a loop that crashes and ticks again on another replica sends the
 * same ids and JetStream (Nats-Msg-Id) and the command processor apply each once.
 */

export const SCHEDULER_ACTOR: Actor = { kind: 'system', id: 'sessions-scheduler' };
export const LIVENESS_ACTOR: Actor = { kind: 'system', id: 'sessions-liveness' };
export const TIMERS_ACTOR: Actor = { kind: 'system', id: 'sessions-timers' };
export const DISPATCHER_ACTOR: Actor = { kind: 'system', id: 'sessions-dispatcher' };

export function systemCommand<D>(actor: Actor, id: string, type: string, data: D, issuedAt: string): CommandEnvelope<D> {
  return { id, type, actor, correlationId: id, issuedAt, data };
}

/** `session.place` per placement; the id names the session's pending episode and the runner. */
export function placeCommands(placements: Placement[], pendingSeqs: Record<string, number>, now: string): CommandEnvelope<CommandDataOf<typeof PlaceSession>>[] {
  return placements.map(({ sessionId, runnerId }) =>
    systemCommand(SCHEDULER_ACTOR, `sessions-place-${sessionId}-${pendingSeqs[sessionId] ?? 0}-${runnerId}`, 'session.place', { sessionId, runnerId }, now),
  );
}

export interface LostSession {
  sessionId: string;
  runnerId: string;
  /** The session row's last sequence: "this session as the watcher saw it". */
  lastSeq: number;
}

/**
 * `session.mark_lost` for sessions whose runner went silent, held `holdMs` for it to come back;
 * the same for a lost session whose hold is over (its `lastSeq` differs, so its id does).
 */
export function lostCommands(lost: LostSession[], silenceMs: number, now: string, holdMs = 0): CommandEnvelope<CommandDataOf<typeof MarkSessionLost>>[] {
  return lost.map(({ sessionId, runnerId, lastSeq }) =>
    systemCommand(
      LIVENESS_ACTOR,
      `sessions-lost-${sessionId}-${lastSeq}`,
      'session.mark_lost',
      { sessionId, runnerId, reason: `no heartbeat for ${Math.round(silenceMs / 1000)}s`, holdMs },
      now,
    ),
  );
}

/** `session.reclaim` for lost sessions their runner still runs; the id names the lost episode (its `lastSeq`). */
export function reclaimCommands(reclaims: (Reclaim & { lastSeq: number })[], now: string): CommandEnvelope<CommandDataOf<typeof ReclaimSession>>[] {
  return reclaims.map(({ sessionId, runnerId, epoch, pid, lastSeq }) =>
    systemCommand(LIVENESS_ACTOR, `sessions-reclaim-${sessionId}-${lastSeq}`, 'session.reclaim', { sessionId, runnerId, pid, ...(epoch !== undefined ? { epoch } : {}) }, now),
  );
}
