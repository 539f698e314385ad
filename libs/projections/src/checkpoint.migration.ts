import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './database';

/** Where each projection keeps the last stream sequence it applied, with its version. */
export class ProjectionCheckpoints1700000000000 implements MigrationInterface {
  name = 'ProjectionCheckpoints1700000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."projection_checkpoints" (
      "name" text PRIMARY KEY,
      "version" integer NOT NULL,
      "last_seq" bigint NOT NULL DEFAULT 0,
      "updated_at" timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."projection_checkpoints"`);
  }
}
