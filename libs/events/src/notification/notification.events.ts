import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { ChannelFormatSchema, ChannelNameSchema, ChannelSecretSchema, NotificationRulesSchema, WebhookUrlSchema } from './notification.values';

/*
 * One notification channel per subject, `notification_channel.<id>` (docs/decisions/0027).
 * The URL (which may hold a token) and the signing secret are in the log in plain text, as
 * template env values are (decision 0018); every read edge redacts them.
 */

export const NotificationChannelDefined = defineEvent({
  type: 'notification_channel.defined',
  aggregate: 'notification_channel',
  schema: z.object({
    /** The user it belongs to: who may see, change and remove it (admins too). */
    ownerId: IdSchema,
    /** A project's channel gets that project's notifications; null: the owner's, across the projects they may see. */
    projectId: IdSchema.nullable(),
    name: ChannelNameSchema,
    format: ChannelFormatSchema,
    url: WebhookUrlSchema,
    secret: ChannelSecretSchema,
    rules: NotificationRulesSchema,
  }),
});

export const NotificationRulesChanged = defineEvent({
  type: 'notification_channel.rules_changed',
  aggregate: 'notification_channel',
  schema: z.object({ rules: NotificationRulesSchema }),
});

export const NotificationChannelRemoved = defineEvent({
  type: 'notification_channel.removed',
  aggregate: 'notification_channel',
  schema: z.object({}),
});

/** Someone pressed "Send test": the notifier delivers one test notification to this channel only. */
export const NotificationTestRequested = defineEvent({
  type: 'notification_channel.test_requested',
  aggregate: 'notification_channel',
  schema: z.object({ testId: IdSchema }),
});

export const notificationEvents = [NotificationChannelDefined, NotificationRulesChanged, NotificationChannelRemoved, NotificationTestRequested] as const;

export type NotificationEvent =
  | EventOf<typeof NotificationChannelDefined>
  | EventOf<typeof NotificationRulesChanged>
  | EventOf<typeof NotificationChannelRemoved>
  | EventOf<typeof NotificationTestRequested>;
