import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

/**
 * What a runner hosts, so a restarted runner can kill what it left behind and report the
 * exits it owes. One row per session (its latest start); `start_seq` is the stream
 * sequence of the `start` message, which also keys the runner's command ids.
 */
export class HostedSessions1700000000400 implements MigrationInterface {
  name = 'HostedSessions1700000000400';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."hosted_sessions" (
      "runner_id" text NOT NULL,
      "session_id" text NOT NULL,
      "run" integer NOT NULL,
      "start_seq" bigint NOT NULL,
      "pid" integer,
      "boot_id" text,
      "proc_start" text,
      "workspace_dir" text NOT NULL,
      "cleanup_script" text,
      "state" text NOT NULL,
      "exit_code" integer,
      "signal" text,
      "exit_reported" boolean NOT NULL DEFAULT false,
      "started_at" timestamptz NOT NULL,
      "ended_at" timestamptz,
      PRIMARY KEY ("runner_id", "session_id")
    )`);
    await q.query(`CREATE INDEX "hosted_sessions_open" ON "${s}"."hosted_sessions" ("runner_id") WHERE "state" = 'running' OR NOT "exit_reported"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."hosted_sessions"`);
  }
}
