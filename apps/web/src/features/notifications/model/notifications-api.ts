import type { ChannelView, DeliveryView } from '@baton/contracts';
import type { ChannelFormat, NotificationKind } from '@baton/events';
import { api, command, read, withQuery } from '../../../api/http';
import { consistency } from '../../../api/consistency';

export type { ChannelView, DeliveryView, ChannelFormat, NotificationKind };

/** The kinds a rule may ask for (libs/events NOTIFICATION_KINDS; the web does not load zod). */
export const KINDS: { kind: NotificationKind; label: string }[] = [
  { kind: 'needs_input', label: 'Needs input' },
  { kind: 'permission_prompt', label: 'Permission prompt' },
  { kind: 'failed', label: 'Failed' },
  { kind: 'completed', label: 'Completed' },
  { kind: 'budget_passed', label: 'Budget passed' },
  { kind: 'merge_failed', label: 'Merge failed' },
  { kind: 'runner_lost', label: 'Runner lost' },
];

export const FORMATS: { format: ChannelFormat; label: string }[] = [
  { format: 'json', label: 'Generic JSON' },
  { format: 'slack', label: 'Slack-compatible' },
  { format: 'ntfy', label: 'ntfy' },
];

export interface NewChannel {
  name: string;
  format: ChannelFormat;
  url: string;
  secret: string;
  projectId: string | null;
  rules: { kinds: NotificationKind[]; projectIds: string[] };
}

/** Writes that name a channel just made pass this tab's `minSeq`, so the gateway finds it. */
const fresh = (path: string) => withQuery(path, { minSeq: consistency.minSeq || undefined });

/** Channels, their tests and the delivery log (docs/decisions/0027). URLs and secrets are never read back. */
export const notificationsApi = {
  channels: (signal?: AbortSignal) => read<ChannelView[]>('/api/notifications/channels', {}, signal),
  deliveries: (signal?: AbortSignal) => read<DeliveryView[]>('/api/notifications/deliveries', { limit: 50 }, signal),
  add: (channel: NewChannel) => command('POST', '/api/notifications/channels', channel),
  test: (id: string) => command('POST', fresh(api`/api/notifications/channels/${id}/test`)),
  remove: (id: string) => command('DELETE', fresh(api`/api/notifications/channels/${id}`)),
  setKinds: (id: string, kinds: NotificationKind[], projectIds: string[]) => command('PATCH', fresh(api`/api/notifications/channels/${id}/rules`), { rules: { kinds, projectIds } }),
};

/** A signing secret the browser makes (24 random bytes, hex): shown once, then write-only. */
export function newSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');
}
