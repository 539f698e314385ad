import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class SessionTemplates1700000000320 implements MigrationInterface {
  name = 'SessionTemplates1700000000320';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."session_templates" (
      "id" text PRIMARY KEY,
      "project_id" text,
      "name" text NOT NULL,
      "kind" text NOT NULL,
      "version" integer NOT NULL,
      "spec" jsonb NOT NULL,
      "auto_start" boolean NOT NULL,
      "max_concurrent" integer,
      "removed" boolean NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "session_templates_project" ON "${s}"."session_templates" ("project_id", "name")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."session_templates"`);
  }
}
