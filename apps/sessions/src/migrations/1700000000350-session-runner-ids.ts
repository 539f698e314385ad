import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

/**
 * Every runner a session was placed on (issue #12): terminal readers take a session's output
 * only from these. Sessions projected before it know their last runner only.
 */
export class SessionRunnerIds1700000000350 implements MigrationInterface {
  name = 'SessionRunnerIds1700000000350';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."sessions" ADD COLUMN "runner_ids" jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`UPDATE "${s}"."sessions" SET "runner_ids" = jsonb_build_array("last_runner_id") WHERE "last_runner_id" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${schemaOf(q)}"."sessions" DROP COLUMN "runner_ids"`);
  }
}
