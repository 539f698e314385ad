import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Attempts1700000000210 implements MigrationInterface {
  name = 'Attempts1700000000210';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."attempts" (
      "id" text PRIMARY KEY,
      "task_id" text NOT NULL,
      "project_id" text NOT NULL,
      "number" integer NOT NULL,
      "branch" text NOT NULL,
      "base_branch" text NOT NULL,
      "base_commit" text,
      "worktree_path" text,
      "runner_id" text,
      "prompt_version_id" text,
      "session_template_id" text,
      "status" text NOT NULL,
      "finish_reason" text,
      "started_at" text NOT NULL,
      "finished_at" text,
      "message_count" integer NOT NULL,
      "session_count" integer NOT NULL,
      "last_message_at" text,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "attempts_task_number" ON "${s}"."attempts" ("task_id", "number")`);
    await q.query(`CREATE INDEX "attempts_project" ON "${s}"."attempts" ("project_id")`);
    await q.query(`CREATE INDEX "attempts_prompt_version" ON "${s}"."attempts" ("prompt_version_id")`);
    await q.query(`CREATE TABLE "${s}"."attempt_messages" (
      "id" text PRIMARY KEY,
      "task_id" text NOT NULL,
      "attempt_id" text NOT NULL,
      "role" text NOT NULL,
      "kind" text NOT NULL,
      "text" text NOT NULL,
      "session_id" text,
      "at" text NOT NULL,
      "seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "attempt_messages_attempt_seq" ON "${s}"."attempt_messages" ("attempt_id", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."attempt_messages"`);
    await q.query(`DROP TABLE "${s}"."attempts"`);
  }
}
