import {
  AttemptFollowUpRouted,
  AttemptSeatClaimed,
  AttemptSeatClosed,
  AttemptSeatReleased,
  DomainError,
  attemptSeatCommands,
  attemptSeatId,
  type AttemptSeatEvent,
  type CommandOf,
  type Decider,
  type NewEvent,
  type SpawnRequest,
} from '@baton/events';

type Commands = typeof attemptSeatCommands;
export type AttemptSeatCommand = { [K in keyof Commands]: CommandOf<Commands[K]> }[number];

/**
 * The attempt's seat (subject `session.attempt-<attemptId>`): at most one running session
 * per attempt (DESIGN §1, invariant 2). Claiming is one decision under the seat's
 * optimistic concurrency, so two concurrent requests cannot both win; the loser gets 409
 * naming the session that runs. The seat is held from request to the session's end.
 */
type SeatRequest = SpawnRequest & { attemptId: string };

export interface AttemptSeatState {
  holder: string | null;
  /** Every session the attempt ever had, oldest first. */
  sessions: string[];
  /** The last session's request: a follow-up `likeLast` starts its like. */
  last: SeatRequest | null;
  closed: boolean;
}

export const attemptSeatDecider: Decider<AttemptSeatState, AttemptSeatCommand, AttemptSeatEvent> = {
  aggregate: 'session',
  commands: attemptSeatCommands,
  aggregateIdOf: (c) => attemptSeatId(c.data.attemptId),
  initialState: () => ({ holder: null, sessions: [], last: null, closed: false }),

  decide(command, state): NewEvent[] {
    const { attemptId } = command.data;
    switch (command.type) {
      case 'session.spawn_in_attempt': {
        const { taskId, attemptId: _a, ...rest } = command.data;
        claimable(state, attemptId, rest.sessionId);
        const origin = rest.origin.kind === 'manual' ? { kind: 'attempt' as const } : rest.origin;
        return [AttemptSeatClaimed({ attemptId, sessionId: rest.sessionId, request: { ...rest, taskIds: [taskId], attemptId, origin } })];
      }
      case 'session.follow_up': {
        const { taskId, text, kind, newSession, likeLast } = command.data;
        if (state.closed) throw finished(attemptId);
        if (state.holder) return [AttemptFollowUpRouted({ attemptId, taskId, sessionId: state.holder, text, kind })];
        const base = newSession ?? (likeLast && state.last ? likeThe(state.last, likeLast.sessionId) : null);
        if (!base) {
          const why = likeLast ? 'and none ran before' : 'name a template to start one with this follow-up';
          throw new DomainError('invalid_state', `no session runs in attempt ${attemptId}; ${why}`, { attemptId });
        }
        claimable(state, attemptId, base.sessionId);
        const request: SeatRequest = { ...base, taskIds: [taskId], prompt: text, attemptId, origin: { kind: 'follow_up' } };
        return [AttemptSeatClaimed({ attemptId, sessionId: base.sessionId, request, followUp: kind })];
      }
      case 'session.release_attempt_seat': {
        const { sessionId, status, reason } = command.data;
        if (state.holder !== sessionId) return [];
        return [AttemptSeatReleased({ attemptId, sessionId, status, reason })];
      }
      case 'session.close_attempt_seat':
        return state.closed ? [] : [AttemptSeatClosed({ attemptId, reason: command.data.reason, sessionId: state.holder })];
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): AttemptSeatState {
    switch (event.type) {
      case 'session.attempt_seat_claimed':
        return { ...state, holder: event.data.sessionId, sessions: [...state.sessions, event.data.sessionId], last: event.data.request };
      case 'session.attempt_seat_released':
        return state.holder === event.data.sessionId ? { ...state, holder: null } : state;
      case 'session.attempt_follow_up_routed':
        return state;
      case 'session.attempt_seat_closed':
        return { ...state, closed: true };
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};

/** What a session like the last one keeps: what runs and where; not its name, parent or first prompt. */
function likeThe(last: SeatRequest, sessionId: string) {
  const { templateId, template, projectId, strategy, role, runnerLabels, budget, permissionMode } = last;
  return { sessionId, projectId, templateId, template, strategy, role, runnerLabels, budget, permissionMode, parentSessionId: null, name: '' };
}

const finished = (attemptId: string) => new DomainError('invalid_state', `attempt ${attemptId} is finished: start a new attempt`, { attemptId });

function claimable(state: AttemptSeatState, attemptId: string, sessionId: string): void {
  if (state.closed) throw finished(attemptId);
  if (state.holder) {
    throw new DomainError('conflict', `attempt ${attemptId} already has a running session ${state.holder}`, { attemptId, runningSessionId: state.holder });
  }
  if (state.sessions.includes(sessionId)) throw new DomainError('conflict', `session ${sessionId} already exists`, { sessionId });
}
