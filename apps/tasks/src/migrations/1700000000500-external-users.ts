import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

/**
 * Single sign-on (docs/decisions/0028): a user's provider identity and a token's expiry. Rows
 * already there stay right without a replay: no event before this change carried either.
 */
export class ExternalUsers1700000000500 implements MigrationInterface {
  name = 'ExternalUsers1700000000500';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."users" ADD COLUMN "issuer" text, ADD COLUMN "subject" text`);
    await q.query(`ALTER TABLE "${s}"."user_tokens" ADD COLUMN "expires_at" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."user_tokens" DROP COLUMN "expires_at"`);
    await q.query(`ALTER TABLE "${s}"."users" DROP COLUMN "issuer", DROP COLUMN "subject"`);
  }
}
