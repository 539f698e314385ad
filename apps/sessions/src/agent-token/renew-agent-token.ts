import { claimsForSession, type AgentClaims } from '@baton/events';
import type { SessionRow } from '../read-models/sessions/session-row.entity';
import { ON_RUNNER } from '../session/status-rules';

export type RenewalSubject = Pick<SessionRow, 'id' | 'projectId' | 'attemptId' | 'taskIds' | 'role' | 'parentSessionId' | 'status' | 'runnerId'>;

export type RenewalVerdict = { ok: true; claims: AgentClaims } | { ok: false; code: 'not_live'; message: string };

/**
 * Whether the runner that asks may have a fresh token for the session (decision 0024): only
 * while the session is on that runner and has not ended (`lost` included: a runner whose
 * heartbeat was late on a busy machine still hosts it, and asking proves it is alive). The
 * claims are the session's own, as at its start. Which runner hosts it otherwise is not said.
 */
export function renewalVerdict(row: RenewalSubject | null, sessionId: string, runnerId: string): RenewalVerdict {
  if (!row) return { ok: false, code: 'not_live', message: `session ${sessionId} is not known` };
  if (row.runnerId !== runnerId) return { ok: false, code: 'not_live', message: `session ${sessionId} does not run on runner ${runnerId}` };
  if (!ON_RUNNER.has(row.status)) return { ok: false, code: 'not_live', message: `session ${sessionId} is ${row.status}: its token is not renewed` };
  return {
    ok: true,
    claims: claimsForSession(row.id, { projectId: row.projectId, attemptId: row.attemptId, taskIds: row.taskIds, role: row.role, parentSessionId: row.parentSessionId }),
  };
}
