import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Sessions1700000000300 implements MigrationInterface {
  name = 'Sessions1700000000300';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."sessions" (
      "id" text PRIMARY KEY,
      "project_id" text NOT NULL,
      "template_id" text NOT NULL,
      "template_version" integer NOT NULL,
      "template_name" text NOT NULL,
      "kind" text NOT NULL,
      "name" text NOT NULL,
      "role" text NOT NULL,
      "strategy" text NOT NULL,
      "attempt_id" text,
      "task_ids" jsonb NOT NULL DEFAULT '[]',
      "parent_session_id" text,
      "origin" jsonb NOT NULL,
      "status" text NOT NULL,
      "status_reason" text NOT NULL,
      "status_since" text NOT NULL,
      "until" text,
      "pending_seq" bigint,
      "runner_id" text,
      "last_runner_id" text,
      "runner_labels" jsonb NOT NULL DEFAULT '{}',
      "ready" boolean NOT NULL,
      "restarts" integer NOT NULL,
      "runs" integer NOT NULL,
      "exit_code" integer,
      "ended_at" text,
      "ended_reason" text,
      "items" jsonb NOT NULL DEFAULT '[]',
      "worker_count" integer NOT NULL,
      "timeline_count" integer NOT NULL,
      "last_timeline_at" text,
      "last_message" text,
      "input_tokens" bigint NOT NULL,
      "output_tokens" bigint NOT NULL,
      "cache_read_tokens" bigint NOT NULL,
      "cache_write_tokens" bigint NOT NULL,
      "cost_usd" double precision NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "sessions_project_created" ON "${s}"."sessions" ("project_id", "created_at")`);
    await q.query(`CREATE INDEX "sessions_status" ON "${s}"."sessions" ("status")`);
    await q.query(`CREATE INDEX "sessions_pending" ON "${s}"."sessions" ("pending_seq") WHERE "pending_seq" IS NOT NULL`);
    await q.query(`CREATE INDEX "sessions_runner" ON "${s}"."sessions" ("runner_id") WHERE "runner_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "sessions_attempt" ON "${s}"."sessions" ("attempt_id") WHERE "attempt_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "sessions_parent" ON "${s}"."sessions" ("parent_session_id") WHERE "parent_session_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "sessions_task_ids" ON "${s}"."sessions" USING gin ("task_ids")`);
    await q.query(`CREATE TABLE "${s}"."session_usage" (
      "id" text PRIMARY KEY,
      "session_id" text NOT NULL,
      "project_id" text NOT NULL,
      "attempt_id" text,
      "task_id" text,
      "input_tokens" bigint NOT NULL,
      "output_tokens" bigint NOT NULL,
      "cache_read_tokens" bigint NOT NULL,
      "cache_write_tokens" bigint NOT NULL,
      "cost_usd" double precision NOT NULL,
      "reports" integer NOT NULL,
      "last_at" text NOT NULL
    )`);
    await q.query(`CREATE INDEX "session_usage_project_task" ON "${s}"."session_usage" ("project_id", "task_id")`);
    await q.query(`CREATE INDEX "session_usage_attempt" ON "${s}"."session_usage" ("attempt_id") WHERE "attempt_id" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."session_usage"`);
    await q.query(`DROP TABLE "${s}"."sessions"`);
  }
}
