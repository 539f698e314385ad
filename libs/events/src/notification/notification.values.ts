import { z } from 'zod';
import { IdSchema } from '../envelope';

/*
 * Notifications (issue #16 item 3, docs/decisions/0027): a channel is where notifications go
 * (an outbound webhook), its rules which facts of the log it wants.
 */

/** What a rule can ask for; each is derived from the log by the notifier (apps/tasks/src/notification). */
export const NOTIFICATION_KINDS = ['needs_input', 'permission_prompt', 'failed', 'completed', 'budget_passed', 'merge_failed', 'runner_lost'] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

/** Generic JSON, a Slack-compatible `{text, blocks}` body, or an ntfy topic (title/click/tags in headers). */
export const CHANNEL_FORMATS = ['json', 'slack', 'ntfy'] as const;
export const ChannelFormatSchema = z.enum(CHANNEL_FORMATS);
export type ChannelFormat = z.infer<typeof ChannelFormatSchema>;

/** Refused whatever the format: the cloud metadata range (169.254.0.0/16) and the like (SSRF stance, decision 0027). */
const LINK_LOCAL_V4 = /^169\.254\.\d{1,3}\.\d{1,3}$/;
const BLOCKED_HOSTS = new Set(['metadata.google.internal', 'metadata', '0.0.0.0', '[::]']);

/** Why an outbound webhook URL is refused, or null when it may be used. Pure: no DNS lookup (decision 0027 says what that leaves open). */
export function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  const host = url.hostname.toLowerCase();
  if (LINK_LOCAL_V4.test(host) || BLOCKED_HOSTS.has(host)) return `must not point at a link-local or metadata address (${host})`;
  // IPv6 link-local (fe80::/10) and IPv4-mapped link-local addresses.
  if (/^\[fe[89ab][0-9a-f]:/i.test(host) || /^\[::ffff:(169\.254\.|a9fe:)/i.test(host)) return `must not point at a link-local or metadata address (${host})`;
  return null;
}

export const WebhookUrlSchema = z
  .string()
  .max(2_000)
  .superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The HMAC key the receiver checks `X-Baton-Signature` with: write-only at every read (decision 0018). */
export const ChannelSecretSchema = z.string().min(16, 'must be at least 16 characters').max(200);

export const ChannelNameSchema = z.string().trim().min(1).max(100);

/** What a channel wants: the kinds (at least one), and for a user's channel optionally only some of its projects. */
export const NotificationRulesSchema = z.strictObject({
  kinds: z.array(NotificationKindSchema).min(1).max(NOTIFICATION_KINDS.length).refine((k) => new Set(k).size === k.length, 'must not repeat a kind'),
  /** A user's channel: only these projects (empty: every project the user may see). Ignored for a project's channel. */
  projectIds: z.array(IdSchema).max(100).default([]),
});
export type NotificationRules = z.infer<typeof NotificationRulesSchema>;
