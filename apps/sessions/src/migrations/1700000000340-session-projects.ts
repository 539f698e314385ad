import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class SessionProjects1700000000340 implements MigrationInterface {
  name = 'SessionProjects1700000000340';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."session_projects" (
      "id" text PRIMARY KEY,
      "name" text NOT NULL,
      "repository_location" text NOT NULL,
      "default_branch" text NOT NULL,
      "concurrency_limit" integer,
      "env" jsonb NOT NULL DEFAULT '{}',
      "startup_sequence" jsonb NOT NULL DEFAULT '[]',
      "shutdown_sequence" jsonb NOT NULL DEFAULT '[]',
      "status" text NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."session_projects"`);
  }
}
