import { z } from 'zod';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { NotificationChannelRowEntity, NotificationDeliveryRowEntity, type NotificationChannelRow, type NotificationDeliveryRow } from './notification-rows.entity';

/** Where a URL points without what may be a token in it (decision 0018's marker for the rest). */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' && !u.search ? '/' : '/••••'}`;
  } catch {
    return '••••';
  }
}

function channelView(c: NotificationChannelRow) {
  return {
    id: c.id,
    ownerId: c.ownerId,
    projectId: c.projectId,
    name: c.name,
    format: c.format,
    url: redactedUrl(c.url),
    rules: { kinds: c.kinds, projectIds: c.projectIds },
    removed: c.removed,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function deliveryView(d: NotificationDeliveryRow) {
  return {
    id: d.id,
    channelId: d.channelId,
    eventId: d.eventId,
    kind: d.kind,
    projectId: d.projectId,
    sessionId: d.content.sessionId,
    title: d.content.title,
    message: d.content.message,
    link: d.content.link,
    status: d.status,
    attempts: d.attempts,
    responseCode: d.responseCode,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

/** Channels (URL and secret redacted: they never leave this service but to the receiver) and the delivery log. */
export function notificationQueries(read: ReadSide) {
  const channels = () => read.db.getRepository(NotificationChannelRowEntity);
  return {
    /** `ownerId`: one user's channels; absent: everyone's (the gateway asks so for admins only). */
    list_notification_channels: defineQuery(z.object({ ownerId: IdSchema.optional() }), async ({ ownerId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await channels().find({ where: { removed: false, ...(ownerId ? { ownerId } : {}) }, order: { createdAt: 'ASC', id: 'ASC' } });
      return rows.map(channelView);
    }),
    get_notification_channel: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const c = await channels().findOneBy({ id });
      if (!c || c.removed) throw new DomainError('not_found', `notification channel ${id} does not exist`, { channelId: id });
      return channelView(c);
    }),
    /** Newest first. `ownerId`: deliveries to that user's channels only. */
    list_notification_deliveries: defineQuery(
      z.object({ ownerId: IdSchema.optional(), channelId: IdSchema.optional(), status: z.enum(['pending', 'delivered', 'failed']).optional(), limit: z.number().int().min(1).max(500).default(100) }),
      async ({ ownerId, channelId, status, limit }, { minSeq }) => {
        await read.waitFor(minSeq);
        const rows = await read.db.getRepository(NotificationDeliveryRowEntity).find({
          where: { ...(ownerId ? { ownerId } : {}), ...(channelId ? { channelId } : {}), ...(status ? { status } : {}) },
          order: { createdAt: 'DESC', id: 'ASC' },
          take: limit,
        });
        return rows.map(deliveryView);
      },
    ),
  };
}
