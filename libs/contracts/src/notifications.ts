import { z } from 'zod';
import { ChannelFormatSchema, ChannelNameSchema, ChannelSecretSchema, IdSchema, NotificationKindSchema, NotificationRulesSchema, WebhookUrlSchema } from '@baton/events';
import { Limit, MinSeq } from './common';

/*
 * Notifications (docs/decisions/0027): a user's or a project's channels (outbound webhooks) with
 * their rules, and the log of every delivery. The URL (which may carry a token) and the signing
 * secret are write-only: every read shows the URL's scheme and host only, and never the secret.
 */

export const NOTIFICATION_KIND_LABELS: Record<z.infer<typeof NotificationKindSchema>, string> = {
  needs_input: 'An agent needs input',
  permission_prompt: 'An agent asks for permission',
  failed: 'A session failed',
  completed: 'A session completed',
  budget_passed: 'A budget was passed',
  merge_failed: 'A merge failed (autopilot; the merge train later)',
  runner_lost: "A session's runner stopped answering",
};

export const CreateChannelRequest = z.strictObject({
  name: ChannelNameSchema,
  format: ChannelFormatSchema.describe('json: a generic JSON body; slack: `{text, blocks}` (Slack, Mattermost, Discord `/slack`); ntfy: the message as the body, Title/Click/Tags headers.'),
  url: WebhookUrlSchema.describe('http(s) only; link-local and metadata addresses are refused. Write-only: reads show its scheme and host.'),
  secret: ChannelSecretSchema.describe('The HMAC-SHA256 key for `X-Baton-Signature: sha256=hex(HMAC(secret, "<X-Baton-Timestamp>.<body>"))`. Write-only.'),
  projectId: IdSchema.nullable().default(null).describe("A project's channel (needs operator there); null: yours, across the projects you may see."),
  rules: NotificationRulesSchema,
});

export const ChangeRulesRequest = z.strictObject({ rules: NotificationRulesSchema });

export const ChannelView = z.strictObject({
  id: z.string(),
  ownerId: z.string(),
  projectId: z.string().nullable(),
  name: z.string(),
  format: ChannelFormatSchema,
  url: z.string().describe("Scheme and host only; the rest is redacted as '••••'."),
  rules: z.strictObject({ kinds: z.array(NotificationKindSchema), projectIds: z.array(z.string()) }),
  removed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelView = z.output<typeof ChannelView>;
export const ChannelList = z.array(ChannelView);

export const ChannelsQuery = z.strictObject({
  minSeq: MinSeq,
  all: z.enum(['true', 'false']).optional().describe("Admins: every user's channels (default: your own)."),
});

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const DeliveriesQuery = z.strictObject({
  minSeq: MinSeq,
  channelId: IdSchema.optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: Limit(500, 100),
});

export const DeliveryView = z.strictObject({
  id: z.string().describe('The delivery id, sent as `X-Baton-Delivery`: the same event and channel always give the same id.'),
  channelId: z.string(),
  eventId: z.string(),
  kind: z.enum([...NotificationKindSchema.options, 'test']),
  projectId: z.string().nullable(),
  sessionId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  link: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  responseCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export type DeliveryView = z.output<typeof DeliveryView>;
export const DeliveryList = z.array(DeliveryView);
