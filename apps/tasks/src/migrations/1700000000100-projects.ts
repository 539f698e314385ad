import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Projects1700000000100 implements MigrationInterface {
  name = 'Projects1700000000100';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."projects" (
      "id" text PRIMARY KEY,
      "name" text NOT NULL,
      "repository_location" text NOT NULL,
      "default_branch" text NOT NULL,
      "concurrency_limit" integer,
      "env" jsonb NOT NULL DEFAULT '{}',
      "status" text NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "projects_status_name" ON "${s}"."projects" ("status", "name")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."projects"`);
  }
}
