import { createHash } from 'node:crypto';
import type { ChannelFormat, NotificationKind } from '@baton/events';
import type { Notice } from './notice';

/** A channel as the notifier needs it (its read-model row). */
export interface ChannelTarget {
  id: string;
  ownerId: string;
  projectId: string | null;
  format: ChannelFormat;
  url: string;
  secret: string;
  kinds: NotificationKind[];
  projectIds: string[];
  /** The log position that defined it: a channel hears only of what happened after. */
  definedSeq: number;
  removed: boolean;
}

/**
 * The channels a notice goes to. A project's channel hears its project; a user's channel hears
 * every project its owner may see (an admin: all), or only those its rules name. A notice
 * whose project is unknown reaches no one (only a test names its channel instead).
 */
export function channelsFor(notice: Notice, seq: number, channels: readonly ChannelTarget[], ownerMaySee: (ownerId: string, projectId: string) => boolean): ChannelTarget[] {
  if (notice.kind === 'test') return channels.filter((c) => c.id === notice.channelId && !c.removed);
  const kind = notice.kind;
  return channels.filter((c) => {
    if (c.removed || c.definedSeq >= seq || !c.kinds.includes(kind)) return false;
    if (notice.projectId === null) return false;
    if (c.projectId !== null) return c.projectId === notice.projectId && ownerMaySee(c.ownerId, notice.projectId);
    if (c.projectIds.length && !c.projectIds.includes(notice.projectId)) return false;
    return ownerMaySee(c.ownerId, notice.projectId);
  });
}

/** The same event and channel always give the same id: what makes a redelivery or a restart send nothing twice. */
export function deliveryId(eventId: string, channelId: string): string {
  return `nd_${createHash('sha256').update(`${eventId}\n${channelId}`).digest('hex').slice(0, 32)}`;
}
