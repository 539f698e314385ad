import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class Users1700000000300 implements MigrationInterface {
  name = 'Users1700000000300';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."users" (
      "id" text PRIMARY KEY, "name" text NOT NULL, "role" text NOT NULL, "created_at" text NOT NULL,
      "event_count" integer NOT NULL, "last_seq" bigint NOT NULL)`);
    await q.query(`CREATE TABLE "${s}"."user_tokens" (
      "id" text PRIMARY KEY, "user_id" text NOT NULL, "token_hash" text NOT NULL, "label" text NOT NULL,
      "revoked" boolean NOT NULL, "issued_at" text NOT NULL, "last_seq" bigint NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX "user_tokens_hash" ON "${s}"."user_tokens" ("token_hash")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."user_tokens"`);
    await q.query(`DROP TABLE "${s}"."users"`);
  }
}
