import type { DomainEvent, RecordedEvent } from '@baton/events';
import type { Reactor } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { ProjectMemberRowEntity } from '../read-models/project-members/project-member-row.entity';
import { ProjectRowEntity } from '../read-models/projects/project-row.entity';
import { NotificationChannelRowEntity, NotificationDeliveryRowEntity, NotificationSessionRowEntity } from '../read-models/notifications/notification-rows.entity';
import { UserRowEntity } from '../read-models/users/users.entities';
import { channelsFor, deliveryId } from './matching';
import { noticeOf } from './notice';
import { linkFor, type DeliveryContent } from './webhook-request';

export interface NotifierOptions {
  /** The web app's address, for the links notifications carry. */
  webUrl: string;
  /** Called after deliveries were recorded: the sender need not wait for its next tick. */
  recorded?: () => void;
}

/**
 * The notifier's first half (docs/decisions/0027): a reactor with its own durable consumer (its
 * checkpoint) that records one pending delivery per matching channel, keyed by a delivery id
 * derived from the event and the channel, before the event is acked. A redelivered event (a
 * crash before the ack) records nothing new; the sender (notification-sender.ts) sends each once.
 */
export function notifierReactor(read: ReadSide, opts: NotifierOptions): Reactor {
  return {
    name: 'notifier',
    react: async (event: RecordedEvent<DomainEvent>) => {
      const notice = noticeOf(event);
      if (!notice) return [];
      // Channels, the session's project and memberships as of this event (or later).
      await read.waitFor(event.position.seq);
      const db = read.db;
      const projectId = notice.projectId ?? (notice.sessionId ? ((await db.getRepository(NotificationSessionRowEntity).findOneBy({ id: notice.sessionId }))?.projectId ?? null) : null);
      const channels = await db.getRepository(NotificationChannelRowEntity).findBy(notice.kind === 'test' ? { id: notice.channelId! } : { removed: false });
      const owners = [...new Set(channels.map((c) => c.ownerId))];
      const admins = new Set(owners.length ? (await db.getRepository(UserRowEntity).createQueryBuilder('u').where('u.id IN (:...owners)', { owners }).andWhere("u.role = 'admin'").getMany()).map((u) => u.id) : []);
      const live = projectId ? (await db.getRepository(ProjectRowEntity).findOneBy({ id: projectId }))?.status !== 'deleted' : false;
      const members = new Set(projectId && live ? (await db.getRepository(ProjectMemberRowEntity).findBy({ projectId })).map((m) => m.userId) : []);
      const targets = channelsFor({ ...notice, projectId }, event.position.seq, channels, (owner) => live && (admins.has(owner) || members.has(owner)));
      if (!targets.length) return [];
      const now = new Date();
      const rows = targets.map((c) => {
        const id = deliveryId(event.id, c.id);
        const content: DeliveryContent = { deliveryId: id, eventId: event.id, kind: notice.kind, projectId, sessionId: notice.sessionId, title: notice.title, message: notice.message, occurredAt: event.occurredAt, link: linkFor(opts.webUrl, { projectId, sessionId: notice.sessionId }) };
        return { id, eventId: event.id, eventSeq: event.position.seq, channelId: c.id, ownerId: c.ownerId, projectId, kind: notice.kind, content, status: 'pending' as const, attempts: 0, nextAttemptAt: now, lastAttemptAt: null, responseCode: null, lastError: null, createdAt: now, deliveredAt: null };
      });
      // The delivery id is the key: a redelivered event inserts nothing (and resets nothing already sent).
      await db.createQueryBuilder().insert().into(NotificationDeliveryRowEntity).values(rows).orIgnore().execute();
      opts.recorded?.();
      return [];
    },
  };
}
