import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class PromptTemplates1700000000220 implements MigrationInterface {
  name = 'PromptTemplates1700000000220';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."prompt_templates" (
      "id" text PRIMARY KEY,
      "project_id" text,
      "name" text NOT NULL,
      "status" text NOT NULL,
      "latest_version_id" text,
      "version_count" integer NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "prompt_templates_project_name" ON "${s}"."prompt_templates" ("project_id", "name")`);
    await q.query(`CREATE TABLE "${s}"."prompt_template_versions" (
      "id" text PRIMARY KEY,
      "template_id" text NOT NULL,
      "number" integer NOT NULL,
      "parent_version_id" text,
      "body" text NOT NULL,
      "variables" jsonb NOT NULL DEFAULT '[]',
      "note" text NOT NULL,
      "created_at" text NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "prompt_template_versions_template" ON "${s}"."prompt_template_versions" ("template_id", "number")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."prompt_template_versions"`);
    await q.query(`DROP TABLE "${s}"."prompt_templates"`);
  }
}
