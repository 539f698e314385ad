import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Runners1700000000330 implements MigrationInterface {
  name = 'Runners1700000000330';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."runners" (
      "id" text PRIMARY KEY,
      "hostname" text NOT NULL,
      "capacity" integer NOT NULL,
      "labels" jsonb NOT NULL DEFAULT '{}',
      "version" text,
      "draining" boolean NOT NULL,
      "status" text NOT NULL,
      "registered_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "event_count" integer NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."runners"`);
  }
}
