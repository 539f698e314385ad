import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@baton/projections';

/**
 * Notifications (docs/decisions/0027): channels and the session → project map are read models
 * (new: they replay the log from sequence 1); deliveries are the notifier's own record of what
 * it sent, keyed by a delivery id derived from the event and the channel.
 */
export class Notifications1700000000600 implements MigrationInterface {
  name = 'Notifications1700000000600';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."notification_channels" (
      "id" text PRIMARY KEY,
      "owner_id" text NOT NULL,
      "project_id" text,
      "name" text NOT NULL,
      "format" text NOT NULL,
      "url" text NOT NULL,
      "secret" text NOT NULL,
      "kinds" jsonb NOT NULL,
      "project_ids" jsonb NOT NULL,
      "defined_seq" bigint NOT NULL,
      "removed" boolean NOT NULL,
      "created_at" text NOT NULL,
      "updated_at" text NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE INDEX "notification_channels_owner" ON "${s}"."notification_channels" ("owner_id")`);
    await q.query(`CREATE TABLE "${s}"."notification_sessions" (
      "id" text PRIMARY KEY,
      "project_id" text NOT NULL,
      "last_seq" bigint NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."notification_deliveries" (
      "id" text PRIMARY KEY,
      "event_id" text NOT NULL,
      "event_seq" bigint NOT NULL,
      "channel_id" text NOT NULL,
      "owner_id" text NOT NULL,
      "project_id" text,
      "kind" text NOT NULL,
      "content" jsonb NOT NULL,
      "status" text NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" timestamptz,
      "last_attempt_at" timestamptz,
      "response_code" integer,
      "last_error" text,
      "created_at" timestamptz NOT NULL,
      "delivered_at" timestamptz
    )`);
    await q.query(`CREATE INDEX "notification_deliveries_due" ON "${s}"."notification_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`);
    await q.query(`CREATE INDEX "notification_deliveries_channel" ON "${s}"."notification_deliveries" ("channel_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."notification_deliveries"`);
    await q.query(`DROP TABLE "${s}"."notification_sessions"`);
    await q.query(`DROP TABLE "${s}"."notification_channels"`);
  }
}
