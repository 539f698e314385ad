import type { CheckSessionRegistration, CheckSessionStall, CommandDataOf, CommandEnvelope, ResumeAfterQuota, SessionStatus } from '@baton/events';
import { systemCommand, TIMERS_ACTOR } from './loop-commands';

/** What the timers read of a session (its row in the sessions read model). */
export interface TimedSession {
  sessionId: string;
  status: SessionStatus;
  statusSince: string;
  /** `waiting_quota`: when the limit lifts. */
  until: string | null;
  /** Time of its last event of any kind: never earlier than its last signal. */
  updatedAt: string;
  lastSeq: number;
}

/** The two numbers of the session's pinned template the timers need. */
export interface TimerSpec {
  registrationTimeoutMs: number;
  stallAfterMs: number | null;
}

/** Statuses a timer may be due in. */
export const TIMED_STATUSES: readonly SessionStatus[] = ['spawning', 'working', 'stalled', 'waiting_quota'];

type TimerCommand = CommandEnvelope<
  CommandDataOf<typeof CheckSessionRegistration> | CommandDataOf<typeof CheckSessionStall> | CommandDataOf<typeof ResumeAfterQuota>
>;

/**
 * Which timer commands are due at `now`. The deciders decide (registration timeout, stall,
 * quota resume); this only keeps the loop from sending a command per session per tick: it
 * sends one when the decider would act on what the read model shows. Its idea of the last
 * activity (the row's last event) is never earlier than the decider's, so a command sent
 * is a command acted on, unless the read model lagged — then the session's sequence moved
 * and the next tick's command has a new id.
 */
export function dueTimers(sessions: TimedSession[], specOf: (sessionId: string) => TimerSpec | null, lastOutputAt: (sessionId: string) => string | null, now: string): TimerCommand[] {
  const nowMs = Date.parse(now);
  const out: TimerCommand[] = [];
  const id = (kind: string, s: TimedSession, extra = '') => `sessions-timer-${kind}-${s.sessionId}-${s.lastSeq}${extra}`;
  for (const s of sessions) {
    const { sessionId } = s;
    switch (s.status) {
      case 'spawning': {
        const spec = specOf(sessionId);
        // The decider counts from the process's start (`session.spawned`), an event of the
        // row: its last event is never earlier, so a command sent here is acted on.
        if (spec && nowMs - Math.max(Date.parse(s.statusSince), Date.parse(s.updatedAt)) >= spec.registrationTimeoutMs) {
          out.push(systemCommand(TIMERS_ACTOR, id('registration', s), 'session.check_registration', { sessionId }, now));
        }
        break;
      }
      case 'working': {
        const spec = specOf(sessionId);
        if (!spec || spec.stallAfterMs === null) break;
        const output = lastOutputAt(sessionId);
        const last = Math.max(Date.parse(s.updatedAt), Date.parse(s.statusSince), output ? Date.parse(output) : 0);
        if (nowMs - last >= spec.stallAfterMs) out.push(systemCommand(TIMERS_ACTOR, id('stall', s), 'session.check_stall', { sessionId, lastOutputAt: output }, now));
        break;
      }
      case 'stalled': {
        // Output resumed: the decider moves it back to working.
        const output = lastOutputAt(sessionId);
        if (output && Date.parse(output) > Date.parse(s.statusSince)) {
          out.push(systemCommand(TIMERS_ACTOR, id('unstall', s, `-${Date.parse(output)}`), 'session.check_stall', { sessionId, lastOutputAt: output }, now));
        }
        break;
      }
      case 'waiting_quota':
        if (!s.until || Date.parse(s.until) <= nowMs) out.push(systemCommand(TIMERS_ACTOR, id('quota', s), 'session.resume_after_quota', { sessionId }, now));
        break;
      default:
        break;
    }
  }
  return out;
}
