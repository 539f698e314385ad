import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

export class SessionTimeline1700000000310 implements MigrationInterface {
  name = 'SessionTimeline1700000000310';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."session_timeline" (
      "id" text PRIMARY KEY,
      "session_id" text NOT NULL,
      "seq" bigint NOT NULL,
      "at" text NOT NULL,
      "kind" text NOT NULL,
      "message" text NOT NULL,
      "task_id" text,
      "progress" double precision,
      "source" text,
      "worker_id" text,
      "metadata" jsonb NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX "session_timeline_session_seq" ON "${s}"."session_timeline" ("session_id", "seq")`);
    await q.query(`CREATE INDEX "session_timeline_session_kind" ON "${s}"."session_timeline" ("session_id", "kind", "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."session_timeline"`);
  }
}
