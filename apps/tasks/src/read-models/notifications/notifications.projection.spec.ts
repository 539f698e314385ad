import { NotificationChannelDefined, NotificationChannelRemoved, NotificationRulesChanged, NotificationTestRequested, SessionRequested, type DomainEvent, type NewEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { EntitySchema, QueryRunner } from 'typeorm';
import { tasksService } from '../../tasks.service-definition';
import type { NotificationChannelRow, NotificationSessionRow } from './notification-rows.entity';
import { notificationChannelsProjection, notificationSessionsProjection } from './notifications.projection';
import { redactedUrl } from './notifications.queries';

const at = (events: [{ type: 'notification_channel' | 'session'; id: string }, NewEvent][]) =>
  events.map(([agg, e], i) => ({ ...recorded(agg, e), position: { seq: i + 1 } }) as RecordedEvent<DomainEvent>);
const c1 = { type: 'notification_channel' as const, id: 'c1' };
const definition = { ownerId: 'u1', projectId: null, name: 'ops', format: 'ntfy' as const, url: 'https://ntfy.sh/topic?auth=tok', secret: 's'.repeat(20), rules: { kinds: ['failed' as const], projectIds: [] } };

describe('notificationChannelsProjection', () => {
  it('keeps a channel, its rules and its removal, once even when delivered twice; a test changes no row', () => {
    const story = () =>
      at([
        [c1, NotificationChannelDefined(definition)],
        [c1, NotificationRulesChanged({ rules: { kinds: ['completed', 'failed'], projectIds: ['p1'] } })],
        [c1, NotificationTestRequested({ testId: 't1' })],
        [c1, NotificationChannelRemoved({})],
      ]);
    const rows = new Map<string, NotificationChannelRow | null>();
    foldAfter(notificationChannelsProjection, rows, 0, story());
    foldAfter(notificationChannelsProjection, rows, 4, story());
    expect(rows.get('c1')).toMatchObject({ ownerId: 'u1', kinds: ['completed', 'failed'], projectIds: ['p1'], definedSeq: 1, removed: true, lastSeq: 4 });
  });
});

describe('notificationSessionsProjection', () => {
  it("remembers each session's project, not an attempt seat's", () => {
    const request = SessionRequested({ projectId: 'p1', templateId: 'shell', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' });
    const rows = new Map<string, NotificationSessionRow | null>();
    foldAfter(notificationSessionsProjection, rows, 0, at([[{ type: 'session', id: 's1' }, request], [{ type: 'session', id: 'attempt-a1' }, request]]));
    expect([...rows.keys()]).toEqual(['s1']);
    expect(rows.get('s1')).toMatchObject({ projectId: 'p1' });
  });
});

describe(redactedUrl.name, () => {
  it('shows the scheme and host only', () => {
    expect(redactedUrl('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com/••••');
    expect(redactedUrl('https://ntfy.sh/?auth=tok')).toBe('https://ntfy.sh/••••');
    expect(redactedUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000/');
  });
});

describe('notifications migration', () => {
  it("creates the channels', sessions' and deliveries' tables with exactly their entities' columns", async () => {
    const statements: string[] = [];
    const q = { connection: { options: { schema: 'tasks' } }, query: async (sql: string) => void statements.push(sql) } as unknown as QueryRunner;
    const M = tasksService.migrations.find((m) => m.name === 'Notifications1700000000600')!;
    await new M().up(q);
    for (const entity of [notificationChannelsProjection.entity, notificationSessionsProjection.entity, ...(tasksService.entities ?? [])] as EntitySchema[]) {
      const { tableName, columns } = entity.options;
      const sql = statements.find((s) => s.includes(`CREATE TABLE "tasks"."${tableName}"`));
      expect([tableName, !!sql]).toEqual([tableName, true]);
      const created = [...sql!.matchAll(/^\s*"(\w+)" /gm)].map((m) => m[1]).sort();
      expect(created).toEqual(Object.entries(columns).map(([prop, c]) => c!.name ?? prop).sort());
    }
  });
});
