import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Tasks1700000000200 implements MigrationInterface {
  name = 'Tasks1700000000200';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."tasks" (
      "id" text PRIMARY KEY,
      "project_id" text NOT NULL,
      "number" integer NOT NULL,
      "parent_id" text,
      "title" text NOT NULL,
      "description" text NOT NULL,
      "acceptance_criteria" jsonb NOT NULL DEFAULT '[]',
      "priority" integer NOT NULL,
      "labels" jsonb NOT NULL DEFAULT '[]',
      "execution_mode" text NOT NULL,
      "status" text NOT NULL,
      "blocked_by" jsonb,
      "depends_on" jsonb NOT NULL DEFAULT '[]',
      "dependants" jsonb NOT NULL DEFAULT '[]',
      "child_count" integer NOT NULL,
      "active_attempt_id" text,
      "attempt_count" integer NOT NULL,
      "session_count" integer NOT NULL,
      "message_count" integer NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "started_at" text,
      "done_at" text,
      "finished_at" text,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "tasks_project_number" ON "${s}"."tasks" ("project_id", "number")`);
    await q.query(`CREATE INDEX "tasks_project_status" ON "${s}"."tasks" ("project_id", "status")`);
    await q.query(`CREATE INDEX "tasks_parent" ON "${s}"."tasks" ("parent_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."tasks"`);
  }
}
