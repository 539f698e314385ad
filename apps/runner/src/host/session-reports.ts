import { RecordAttemptWorkspace, RecordOutputMatch, RecordSessionExit, RecordSessionSpawned, RecordSessionSpawnFailed, type RunnerStart } from '@baton/events';
import type { OutputMatch } from '../patterns';
import type { PtyExit } from '../pty';
import { reportId, type HostedSession } from './hosted-session';
import type { HostedSessionsRepository } from './hosted-sessions.repository';
import type { Reporter } from './reporter';

/**
 * The `session.record_*` commands about one start of a session, each with an id derived from
 * the start (so a resend after a crash is the same command) and queued per session (so they
 * reach the sessions service in the order they happened).
 */
export class SessionReports {
  constructor(
    private readonly reporter: Reporter,
    private readonly runnerId: string,
    private readonly repo: HostedSessionsRepository,
  ) {}

  spawned(h: HostedSession, onConflict: () => void): void {
    if (h.fenced) return;
    void this.reporter.send(h.sessionId, RecordSessionSpawned, { sessionId: h.sessionId, runnerId: this.runnerId, ...epochOf(h.start), pid: h.pid }, { id: h.commandId(this.runnerId, 'spawned'), onConflict });
  }

  /**
   * Tells the tasks service where the attempt's work lives now: this runner, its worktree and
   * the commit it branched from (`task.record_attempt_workspace`; the review routes find the
   * runner by it). Once per start; its own queue, so session reports never wait for it.
   */
  workspace(h: HostedSession, w: { attemptId: string; taskId: string; worktreePath: string; baseCommit: string }): void {
    const data = { projectId: h.start.projectId, taskId: w.taskId, attemptId: w.attemptId, baseCommit: w.baseCommit, worktreePath: w.worktreePath, runnerId: this.runnerId };
    void this.reporter.send(`attempt:${w.attemptId}`, RecordAttemptWorkspace, data, { id: h.commandId(this.runnerId, 'workspace') });
  }

  spawnFailed(sessionId: string, startSeq: number, error: string, retryable: boolean, start?: Pick<RunnerStart, 'epoch'>): void {
    const id = reportId(this.runnerId, sessionId, startSeq, 'spawn-failed');
    void this.reporter.send(sessionId, RecordSessionSpawnFailed, { sessionId, runnerId: this.runnerId, ...epochOf(start), error, retryable }, { id });
  }

  match(h: HostedSession, m: OutputMatch, onConflict: () => void): void {
    if (h.fenced) return;
    const id = h.commandId(this.runnerId, `match-${h.matchCount++}`);
    void this.reporter.send(h.sessionId, RecordOutputMatch, { sessionId: h.sessionId, runnerId: this.runnerId, ...epochOf(h.start), ...m }, { id, onConflict });
  }

  /** Marks the row once the exit is in the stream: a restarted runner re-sends only unreported exits. */
  exit(h: HostedSession, exit: PtyExit): void {
    const { sessionId, startSeq } = h;
    void this.reporter.send(
      sessionId,
      RecordSessionExit,
      { sessionId, runnerId: this.runnerId, ...epochOf(h.start), exitCode: exit.exitCode, signal: exit.signal },
      { id: h.commandId(this.runnerId, 'exit'), onPublished: () => void this.repo.exitReported(sessionId, startSeq).catch(() => undefined) },
    );
  }
}

/** The placement epoch a report is about (fencing): absent when the sessions service sent none. */
function epochOf(start: Pick<RunnerStart, 'epoch'> | undefined): { epoch?: number } {
  return start?.epoch !== undefined ? { epoch: start.epoch } : {};
}
