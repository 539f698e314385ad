import { NotificationChannelDefined, NotificationChannelRemoved, NotificationRulesChanged, NotificationTestRequested } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { notificationChannelDecider, type NotificationCommand } from './notification-channel.decider';

const c1 = { type: 'notification_channel' as const, id: 'c1' };
const definition = {
  ownerId: 'u1',
  projectId: 'p1',
  name: 'ops',
  format: 'slack' as const,
  url: 'https://hooks.example.com/T/abc',
  secret: 'a-secret-of-16-chars',
  rules: { kinds: ['needs_input' as const, 'failed' as const], projectIds: [] },
};
const define = (over: Partial<typeof definition> = {}) => command('notification.define_channel', { channelId: 'c1', ...definition, ...over }) as NotificationCommand;
const defined = recorded(c1, NotificationChannelDefined(definition));
const rules = (kinds: ('needs_input' | 'failed' | 'completed')[]) => command('notification.change_rules', { channelId: 'c1', rules: { kinds, projectIds: [] } }) as NotificationCommand;
const remove = command('notification.remove_channel', { channelId: 'c1' }) as NotificationCommand;
const test = (testId: string) => command('notification.test_channel', { channelId: 'c1', testId }) as NotificationCommand;
const removed = recorded(c1, NotificationChannelRemoved({}));

describe('notificationChannelDecider', () => {
  const sut = deciderSpec(notificationChannelDecider);

  it('defines a channel; the same definition again changes nothing; another one under its id is a conflict', () => {
    sut.given([]).when(define()).then([NotificationChannelDefined(definition)]);
    sut.given([defined]).when(define()).then([]);
    sut.given([defined]).when(define({ url: 'https://other.example.com/' })).thenThrows('conflict', /c1 already exists/);
    sut.given([defined, removed]).when(define()).thenThrows('conflict');
  });

  it('changes the rules; the same kinds in another order change nothing', () => {
    sut.given([defined]).when(rules(['completed'])).then([NotificationRulesChanged({ rules: { kinds: ['completed'], projectIds: [] } })]);
    sut.given([defined]).when(rules(['failed', 'needs_input'])).then([]);
    sut.given([]).when(rules(['completed'])).thenThrows('not_found', /c1 does not exist/);
    sut.given([defined, removed]).when(rules(['completed'])).thenThrows('not_found');
  });

  it('removes a channel once; a resent removal changes nothing; a channel never defined is not found', () => {
    sut.given([defined]).when(remove).then([NotificationChannelRemoved({})]);
    sut.given([defined, removed]).when(remove).then([]);
    sut.given([]).when(remove).thenThrows('not_found');
  });

  it('asks for a test once per test id, and only on a live channel', () => {
    sut.given([defined]).when(test('t1')).then([NotificationTestRequested({ testId: 't1' })]);
    sut.given([defined, recorded(c1, NotificationTestRequested({ testId: 't1' }))]).when(test('t1')).then([]);
    sut.given([defined, removed]).when(test('t2')).thenThrows('not_found');
  });
});
