import {
  ChangeNotificationRules,
  DefineNotificationChannel,
  DomainError,
  NotificationChannelDefined,
  NotificationChannelRemoved,
  NotificationRulesChanged,
  NotificationTestRequested,
  RemoveNotificationChannel,
  TestNotificationChannel,
  type CommandOf,
  type Decider,
  type NewEvent,
  type NotificationEvent,
  type NotificationRules,
} from '@baton/events';

export interface NotificationChannelState {
  status: 'none' | 'active' | 'removed';
  /** What the defining event said, to answer a resent define with nothing instead of a conflict. */
  defined: string | null;
  rules: NotificationRules | null;
  tests: ReadonlySet<string>;
}

export type NotificationCommand =
  | CommandOf<typeof DefineNotificationChannel>
  | CommandOf<typeof ChangeNotificationRules>
  | CommandOf<typeof RemoveNotificationChannel>
  | CommandOf<typeof TestNotificationChannel>;

const sameRules = (a: NotificationRules, b: NotificationRules) =>
  JSON.stringify([[...a.kinds].sort(), [...a.projectIds].sort()]) === JSON.stringify([[...b.kinds].sort(), [...b.projectIds].sort()]);

function active(state: NotificationChannelState, channelId: string): void {
  if (state.status !== 'active') throw new DomainError('not_found', `notification channel ${channelId} does not exist`, { channelId });
}

/** One channel per subject: who owns it and where it points are fixed; its rules change (docs/decisions/0027). */
export const notificationChannelDecider: Decider<NotificationChannelState, NotificationCommand, NotificationEvent> = {
  aggregate: 'notification_channel',
  commands: [DefineNotificationChannel, ChangeNotificationRules, RemoveNotificationChannel, TestNotificationChannel],
  aggregateIdOf: (command) => command.data.channelId,
  initialState: () => ({ status: 'none', defined: null, rules: null, tests: new Set() }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'notification.define_channel': {
        const { channelId, ...data } = command.data;
        if (state.status === 'none') return [NotificationChannelDefined(data)];
        // The same definition again (a retried create) changes nothing; anything else is another channel's id.
        if (state.status === 'active' && state.defined === JSON.stringify(data)) return [];
        throw new DomainError('conflict', `notification channel ${channelId} already exists`, { channelId });
      }
      case 'notification.change_rules': {
        const { channelId, rules } = command.data;
        active(state, channelId);
        return state.rules && sameRules(state.rules, rules) ? [] : [NotificationRulesChanged({ rules })];
      }
      case 'notification.remove_channel':
        if (state.status === 'removed') return [];
        active(state, command.data.channelId);
        return [NotificationChannelRemoved({})];
      case 'notification.test_channel': {
        const { channelId, testId } = command.data;
        active(state, channelId);
        return state.tests.has(testId) ? [] : [NotificationTestRequested({ testId })];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): NotificationChannelState {
    switch (event.type) {
      case 'notification_channel.defined':
        return { ...state, status: 'active', defined: JSON.stringify(event.data), rules: event.data.rules };
      case 'notification_channel.rules_changed':
        return { ...state, rules: event.data.rules };
      case 'notification_channel.removed':
        return { ...state, status: 'removed' };
      case 'notification_channel.test_requested':
        return { ...state, tests: new Set(state.tests).add(event.data.testId) };
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};
