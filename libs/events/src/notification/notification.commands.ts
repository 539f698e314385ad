import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { ChannelFormatSchema, ChannelNameSchema, ChannelSecretSchema, NotificationRulesSchema, WebhookUrlSchema } from './notification.values';

export const DefineNotificationChannel = defineCommand({
  type: 'notification.define_channel',
  service: 'tasks',
  schema: z.strictObject({
    channelId: IdSchema,
    ownerId: IdSchema,
    projectId: IdSchema.nullable(),
    name: ChannelNameSchema,
    format: ChannelFormatSchema,
    url: WebhookUrlSchema,
    secret: ChannelSecretSchema,
    rules: NotificationRulesSchema,
  }),
});

export const ChangeNotificationRules = defineCommand({
  type: 'notification.change_rules',
  service: 'tasks',
  schema: z.strictObject({ channelId: IdSchema, rules: NotificationRulesSchema }),
});

export const RemoveNotificationChannel = defineCommand({
  type: 'notification.remove_channel',
  service: 'tasks',
  schema: z.strictObject({ channelId: IdSchema }),
});

export const TestNotificationChannel = defineCommand({
  type: 'notification.test_channel',
  service: 'tasks',
  schema: z.strictObject({ channelId: IdSchema, testId: IdSchema }),
});

export const notificationCommands = [DefineNotificationChannel, ChangeNotificationRules, RemoveNotificationChannel, TestNotificationChannel] as const;
