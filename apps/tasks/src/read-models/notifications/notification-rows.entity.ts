import { EntitySchema } from 'typeorm';
import type { ChannelFormat, NotificationKind } from '@baton/events';
import type { DeliveryContent } from '../../notification/webhook-request';

const seqColumn = { type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } } as const;

/** A notification channel; `url` and `secret` never leave the service except to the receiver (queries redact them). */
export interface NotificationChannelRow {
  id: string;
  ownerId: string;
  projectId: string | null;
  name: string;
  format: ChannelFormat;
  url: string;
  secret: string;
  kinds: NotificationKind[];
  projectIds: string[];
  definedSeq: number;
  removed: boolean;
  createdAt: string;
  updatedAt: string;
  lastSeq: number;
}

export const NotificationChannelRowEntity = new EntitySchema<NotificationChannelRow>({
  name: 'NotificationChannelRow',
  tableName: 'notification_channels',
  columns: {
    id: { type: 'text', primary: true },
    ownerId: { type: 'text', name: 'owner_id' },
    projectId: { type: 'text', name: 'project_id', nullable: true },
    name: { type: 'text' },
    format: { type: 'text' },
    url: { type: 'text' },
    secret: { type: 'text' },
    kinds: { type: 'jsonb' },
    projectIds: { type: 'jsonb', name: 'project_ids' },
    definedSeq: { ...seqColumn, name: 'defined_seq' },
    removed: { type: 'boolean' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    lastSeq: { ...seqColumn, name: 'last_seq' },
  },
});

/** Which project a session belongs to: its status changes do not say, and notices need it. */
export interface NotificationSessionRow {
  id: string;
  projectId: string;
  lastSeq: number;
}

export const NotificationSessionRowEntity = new EntitySchema<NotificationSessionRow>({
  name: 'NotificationSessionRow',
  tableName: 'notification_sessions',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id' },
    lastSeq: { ...seqColumn, name: 'last_seq' },
  },
});

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One notification for one channel, written by the notifier (not a projection: it records what
 * was sent, which the log cannot say). Its id derives from the event and the channel.
 */
export interface NotificationDeliveryRow {
  id: string;
  eventId: string;
  eventSeq: number;
  channelId: string;
  ownerId: string;
  projectId: string | null;
  kind: DeliveryContent['kind'];
  content: DeliveryContent;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export const NotificationDeliveryRowEntity = new EntitySchema<NotificationDeliveryRow>({
  name: 'NotificationDeliveryRow',
  tableName: 'notification_deliveries',
  columns: {
    id: { type: 'text', primary: true },
    eventId: { type: 'text', name: 'event_id' },
    eventSeq: { ...seqColumn, name: 'event_seq' },
    channelId: { type: 'text', name: 'channel_id' },
    ownerId: { type: 'text', name: 'owner_id' },
    projectId: { type: 'text', name: 'project_id', nullable: true },
    kind: { type: 'text' },
    content: { type: 'jsonb' },
    status: { type: 'text' },
    attempts: { type: 'int' },
    nextAttemptAt: { type: 'timestamptz', name: 'next_attempt_at', nullable: true },
    lastAttemptAt: { type: 'timestamptz', name: 'last_attempt_at', nullable: true },
    responseCode: { type: 'int', name: 'response_code', nullable: true },
    lastError: { type: 'text', name: 'last_error', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    deliveredAt: { type: 'timestamptz', name: 'delivered_at', nullable: true },
  },
});
