import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

/**
 * Project membership (docs/decisions/0023). No data to move: the read model is new, so it
 * replays the log from sequence 1 and every project's creator becomes its first operator.
 */
export class ProjectMembers1700000000400 implements MigrationInterface {
  name = 'ProjectMembers1700000000400';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."project_members" (
      "id" text PRIMARY KEY,
      "project_id" text NOT NULL,
      "user_id" text NOT NULL,
      "role" text NOT NULL,
      "added_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX "project_members_user_project" ON "${s}"."project_members" ("user_id", "project_id")`);
    await q.query(`CREATE INDEX "project_members_project" ON "${s}"."project_members" ("project_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."project_members"`);
  }
}
