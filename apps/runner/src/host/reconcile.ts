import { RecordSessionExit } from '@baton/events';
import type { Logger } from '@baton/event-store';
import { reportId } from './hosted-session';
import type { HostedSessionRow, HostedSessionsRepository } from './hosted-sessions.repository';
import { RUNNER_KEY_VAR } from './launch-env';
import { envOf, killSession, procInfo, processesWithEnv, readBootId } from './processes';
import type { Reporter } from './reporter';

export interface ReconcileOptions {
  runnerId: string;
  runnerKey: string;
  repo: HostedSessionsRepository;
  reporter: Reporter;
  logger: Logger;
  /** SIGTERM, then SIGKILL after this long, for leftovers. */
  graceMs?: number;
  /** Sessions the PTY keeper still holds: taken back by the runner, not ended here. */
  kept?: ReadonlySet<string>;
}

export interface ReconcileReport {
  /** Sessions whose exit was reported now. */
  exits: { sessionId: string; signal: string | null; killed: boolean }[];
  /** Process sessions (leaders' pids) found still running and ended. */
  killed: number[];
}

/**
 * Run at boot, before any start is taken: whatever an earlier life of this runner spawned
 * outside the PTY keeper (`kept`) has no handle any more. Processes still running are ended (the sessions service will
 * place the session again if its policy says so), and every exit not reported yet is
 * reported, so no session stays "running" on a process that is gone.
 */
export async function reconcile(o: ReconcileOptions): Promise<ReconcileReport> {
  const graceMs = o.graceMs ?? 2_000;
  const bootId = readBootId();
  const report: ReconcileReport = { exits: [], killed: [] };
  const kept = o.kept ?? new Set<string>();
  for (const row of await o.repo.open()) {
    if (kept.has(row.sessionId)) continue;
    let exitCode = row.exitCode;
    let signal = row.signal;
    let killed = false;
    if (row.state === 'running') {
      exitCode = null;
      signal = null;
      if (row.pid !== null && isOurs(row, bootId)) {
        signal = await killSession(row.pid, graceMs);
        killed = signal !== null;
        if (killed) report.killed.push(row.pid);
      }
      await o.repo.exited(row.sessionId, row.startSeq, exitCode, signal);
    }
    report.exits.push({ sessionId: row.sessionId, signal, killed });
    o.logger.warn({ sessionId: row.sessionId, pid: row.pid, killed, signal }, 'reconciled a session of an earlier run of this runner');
    void o.reporter.send(
      row.sessionId,
      RecordSessionExit,
      { sessionId: row.sessionId, runnerId: o.runnerId, exitCode, signal },
      { id: reportId(o.runnerId, row.sessionId, row.startSeq, 'exit'), onPublished: () => void o.repo.exitReported(row.sessionId, row.startSeq).catch(() => undefined) },
    );
  }
  // Anything else still marked as this runner's (a spawn whose row never reached the database).
  const sids = new Set(
    processesWithEnv(RUNNER_KEY_VAR, o.runnerKey)
      .filter((pid) => !kept.has(envOf(pid, 'BATON_SESSION_ID') ?? ''))
      .map((pid) => procInfo(pid)?.sid ?? pid),
  );
  for (const sid of sids) {
    if ((await killSession(sid, graceMs)) !== null) {
      report.killed.push(sid);
      o.logger.warn({ sid }, 'killed a leftover process of an earlier run of this runner');
    }
  }
  return report;
}

/**
 * Whether the pid still names the process this runner spawned (or, with its leader gone,
 * its session): same boot, and the leader is either gone or started at the recorded time.
 */
function isOurs(row: HostedSessionRow, bootId: string | null): boolean {
  if (!bootId || row.bootId !== bootId || row.pid === null) return false;
  const leader = procInfo(row.pid);
  return !leader || leader.startTime === row.procStart;
}
