import type { Projection } from '@baton/projections';
import { ATTEMPT_SEAT_PREFIX, PROJECT_STACK_PREFIX } from '@baton/events';
import { NotificationChannelRowEntity, NotificationSessionRowEntity, type NotificationChannelRow, type NotificationSessionRow } from './notification-rows.entity';

/** Notification channels (docs/decisions/0027); a removed channel keeps its row (its deliveries name it). */
export const notificationChannelsProjection: Projection<NotificationChannelRow> = {
  name: 'notification_channels',
  version: 1,
  entity: NotificationChannelRowEntity,
  keysOf: (e) => (e.aggregate.type === 'notification_channel' && e.type !== 'notification_channel.test_requested' ? [e.aggregate.id] : []),
  evolve(row, e, id) {
    const at = { updatedAt: e.occurredAt, lastSeq: e.position.seq };
    switch (e.type) {
      case 'notification_channel.defined': {
        const d = e.data;
        return { id, ownerId: d.ownerId, projectId: d.projectId, name: d.name, format: d.format, url: d.url, secret: d.secret, kinds: d.rules.kinds, projectIds: d.rules.projectIds, definedSeq: e.position.seq, removed: false, createdAt: e.occurredAt, ...at };
      }
      case 'notification_channel.rules_changed':
        return row && { ...row, kinds: e.data.rules.kinds, projectIds: e.data.rules.projectIds, ...at };
      case 'notification_channel.removed':
        return row && { ...row, removed: true, ...at };
      default:
        return row;
    }
  },
};

/** Each session's project, from its request: what the notifier needs to route a status change. */
export const notificationSessionsProjection: Projection<NotificationSessionRow> = {
  name: 'notification_sessions',
  version: 1,
  entity: NotificationSessionRowEntity,
  keysOf: (e) =>
    e.type === 'session.requested' && !e.aggregate.id.startsWith(ATTEMPT_SEAT_PREFIX) && !e.aggregate.id.startsWith(PROJECT_STACK_PREFIX) ? [e.aggregate.id] : [],
  evolve(row, e, id) {
    if (e.type !== 'session.requested') return row;
    return { id, projectId: e.data.projectId, lastSeq: e.position.seq };
  },
};
