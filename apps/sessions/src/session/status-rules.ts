import { isFinalStatus, type SessionStatus, type SignalSource } from '@baton/events';
import type { SessionState } from './session.state';

/**
 * The status machine (DESIGN §1). `lost` goes back to `pending` rather than straight to
 * `spawning`: a restart elsewhere needs a placement like any other session
 * (docs/decisions/0005-session-aggregates.md); a runner that answers again reclaims it, back to the
 * status it had (0026). `spawning` → `needs_input`: a real agent shows a
 * dialog Baton could not pass before it is ready (a person answers it in the terminal).
 */
const ENDINGS: SessionStatus[] = ['completed', 'failed', 'stopped', 'succeeded', 'exited'];
const RUNNING_ENDINGS: SessionStatus[] = ['lost', 'pending', ...ENDINGS];
export const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  pending: ['spawning', 'stopped'],
  spawning: ['idle', 'working', 'needs_input', ...RUNNING_ENDINGS],
  idle: ['working', 'needs_input', 'waiting_quota', ...RUNNING_ENDINGS],
  working: ['idle', 'needs_input', 'stalled', 'waiting_quota', ...RUNNING_ENDINGS],
  needs_input: ['working', 'idle', 'waiting_quota', 'stalled', ...RUNNING_ENDINGS],
  stalled: ['working', 'idle', 'needs_input', 'waiting_quota', ...RUNNING_ENDINGS],
  waiting_quota: ['idle', 'working', 'needs_input', ...RUNNING_ENDINGS],
  // Back to what it was when its runner reclaims it (docs/decisions/0026); else moved (pending) or ended.
  lost: ['pending', 'failed', 'stopped', 'spawning', 'idle', 'working', 'needs_input', 'stalled', 'waiting_quota'],
  completed: [],
  failed: [],
  stopped: [],
  succeeded: [],
  exited: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses that claim a live process: never shown while it is dead (DESIGN §6). */
export const PROCESS_BOUND: ReadonlySet<SessionStatus> = new Set(['idle', 'working', 'needs_input', 'stalled', 'waiting_quota']);

/** Statuses in which the session holds a slot on its runner. */
export const ON_RUNNER: ReadonlySet<SessionStatus> = new Set(['spawning', 'idle', 'working', 'needs_input', 'stalled', 'waiting_quota', 'lost']);

/** Statuses an agent's work signals move between. */
const ACTIVITY: ReadonlySet<SessionStatus> = new Set(['idle', 'working', 'needs_input']);

export type SignalVerdict = { accept: true } | { accept: false; why: string };

/**
 * Status from fused signals (DESIGN §6), as one rule:
 * 1. a final status never changes;
 * 2. process liveness beats every report: a status that claims a live process needs one;
 * 3. the agent's own reports beat output heuristics: once it reported a status, output
 *    patterns and typing (sources `output`, `user`) no longer move it between idle,
 *    working and needs_input — they still reach the timeline;
 * 4. the move must be a transition of the machine.
 */
export function acceptSignal(state: Pick<SessionState, 'status' | 'process' | 'agentReports'>, source: SignalSource, to: SessionStatus): SignalVerdict {
  if (isFinalStatus(state.status)) return { accept: false, why: `the session is ${state.status}` };
  if (PROCESS_BOUND.has(to) && state.process !== 'running') return { accept: false, why: `its process is ${state.process === 'exited' ? 'dead' : 'not running'}` };
  if ((source === 'output' || source === 'user') && ACTIVITY.has(to) && ACTIVITY.has(state.status) && state.agentReports) {
    return { accept: false, why: 'the agent reports its own status' };
  }
  if (state.status === to) return { accept: false, why: `already ${to}` };
  if (!canTransition(state.status, to)) return { accept: false, why: `${state.status} cannot become ${to}` };
  return { accept: true };
}
