import type { DataSource } from 'typeorm';

export interface HostedSessionRow {
  sessionId: string;
  run: number;
  startSeq: number;
  pid: number | null;
  bootId: string | null;
  procStart: string | null;
  workspaceDir: string;
  cleanupScript: string | null;
  state: 'running' | 'exited';
  exitCode: number | null;
  signal: string | null;
  exitReported: boolean;
  startedAt: string;
}

interface Raw {
  session_id: string;
  run: number;
  start_seq: string;
  pid: number | null;
  boot_id: string | null;
  proc_start: string | null;
  workspace_dir: string;
  cleanup_script: string | null;
  state: 'running' | 'exited';
  exit_code: number | null;
  signal: string | null;
  exit_reported: boolean;
  started_at: Date;
}

/** The runner's own table in its schema: sessions it spawned and whether their exit was reported. */
export class HostedSessionsRepository {
  private readonly table: string;

  constructor(
    private readonly db: DataSource,
    schema: string,
    private readonly runnerId: string,
  ) {
    this.table = `"${schema}"."hosted_sessions"`;
  }

  async spawned(row: Omit<HostedSessionRow, 'state' | 'exitCode' | 'signal' | 'exitReported'>): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (runner_id, session_id, run, start_seq, pid, boot_id, proc_start, workspace_dir, cleanup_script, state, exit_reported, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', false, $10)
       ON CONFLICT (runner_id, session_id) DO UPDATE SET run = $3, start_seq = $4, pid = $5, boot_id = $6, proc_start = $7, workspace_dir = $8,
         cleanup_script = $9, state = 'running', exit_code = NULL, signal = NULL, exit_reported = false, started_at = $10, ended_at = NULL`,
      [this.runnerId, row.sessionId, row.run, row.startSeq, row.pid, row.bootId, row.procStart, row.workspaceDir, row.cleanupScript, row.startedAt],
    );
  }

  async exited(sessionId: string, startSeq: number, exitCode: number | null, signal: string | null): Promise<void> {
    await this.db.query(
      `UPDATE ${this.table} SET state = 'exited', exit_code = $4, signal = $5, ended_at = now() WHERE runner_id = $1 AND session_id = $2 AND start_seq = $3`,
      [this.runnerId, sessionId, startSeq, exitCode, signal],
    );
  }

  async exitReported(sessionId: string, startSeq: number): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET exit_reported = true WHERE runner_id = $1 AND session_id = $2 AND start_seq = $3`, [this.runnerId, sessionId, startSeq]);
  }

  /** Rows a restarted runner must act on: still running, or exited without the exit reported. */
  async open(): Promise<HostedSessionRow[]> {
    const rows: Raw[] = await this.db.query(`SELECT * FROM ${this.table} WHERE runner_id = $1 AND (state = 'running' OR NOT exit_reported) ORDER BY started_at`, [this.runnerId]);
    return rows.map(toRow);
  }

  /** The latest start each session had here: a redelivered `start` with that sequence is not run twice. */
  async latestStarts(): Promise<Map<string, number>> {
    const rows: { session_id: string; start_seq: string }[] = await this.db.query(`SELECT session_id, start_seq FROM ${this.table} WHERE runner_id = $1`, [this.runnerId]);
    return new Map(rows.map((r) => [r.session_id, Number(r.start_seq)]));
  }

  async get(sessionId: string): Promise<HostedSessionRow | null> {
    const rows: Raw[] = await this.db.query(`SELECT * FROM ${this.table} WHERE runner_id = $1 AND session_id = $2`, [this.runnerId, sessionId]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Forgets sessions that ended long ago. */
  async prune(olderThanDays: number): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE runner_id = $1 AND state = 'exited' AND exit_reported AND ended_at < now() - make_interval(days => $2)`, [
      this.runnerId,
      olderThanDays,
    ]);
  }
}

function toRow(r: Raw): HostedSessionRow {
  return {
    sessionId: r.session_id,
    run: r.run,
    startSeq: Number(r.start_seq),
    pid: r.pid,
    bootId: r.boot_id,
    procStart: r.proc_start,
    workspaceDir: r.workspace_dir,
    cleanupScript: r.cleanup_script,
    state: r.state,
    exitCode: r.exit_code,
    signal: r.signal,
    exitReported: r.exit_reported,
    startedAt: r.started_at.toISOString(),
  };
}
