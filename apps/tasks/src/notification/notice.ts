import { ATTEMPT_SEAT_PREFIX, PROJECT_STACK_PREFIX, type DomainEvent, type NotificationKind, type RecordedEvent } from '@baton/events';

/** What the log says a person should hear about; channels and deliveries come later (matching.ts). */
export interface Notice {
  kind: NotificationKind | 'test';
  /** Known from the event itself; for a session's status change the notifier looks it up. */
  projectId: string | null;
  sessionId: string | null;
  /** `test`: the only channel it goes to. */
  channelId: string | null;
  title: string;
  message: string;
}

/**
 * The same words the real agents' hooks use for a permission prompt (apps/cli/src/hooks/agent-hook.ts,
 * needsInputText), as the web inbox reads them (waitsForPermission).
 */
const PERMISSION_PROMPT = / asks to use \S/;

const isSession = (e: RecordedEvent<DomainEvent>) => e.aggregate.type === 'session' && !e.aggregate.id.startsWith(ATTEMPT_SEAT_PREFIX) && !e.aggregate.id.startsWith(PROJECT_STACK_PREFIX);

/**
 * The notification an event calls for, or null. Pure: every kind is one event, so a notice is
 * identified by its event's id. The merge train does not exist yet: `merge_failed` is the
 * autopilot's merge that conflicted or failed (decision 0027).
 */
export function noticeOf(event: RecordedEvent<DomainEvent>): Notice | null {
  const session = (kind: NotificationKind, projectId: string | null, title: string, message: string): Notice => ({ kind, projectId, sessionId: event.aggregate.id, channelId: null, title, message });
  switch (event.type) {
    case 'session.status_changed': {
      if (!isSession(event) || event.data.from === event.data.to) return null;
      if (event.data.to === 'needs_input') {
        const permission = PERMISSION_PROMPT.test(event.data.reason);
        return session(permission ? 'permission_prompt' : 'needs_input', null, permission ? 'An agent asks for permission' : 'An agent needs input', event.data.reason || 'waiting for input');
      }
      if (event.data.to === 'lost') return session('runner_lost', null, "A session's runner stopped answering", event.data.reason);
      return null;
    }
    case 'session.ended': {
      if (!isSession(event)) return null;
      const { status, projectId, reason } = event.data;
      if (status === 'completed' || status === 'succeeded') return session('completed', projectId, 'A session completed', reason || status);
      if (status === 'failed') return session('failed', projectId, 'A session failed', reason || 'failed');
      return null;
    }
    case 'session.timeline_recorded':
      if (!isSession(event) || event.data.kind !== 'budget_exceeded') return null;
      return session('budget_passed', null, 'A budget was passed', event.data.message);
    case 'project.autopilot_needs_input':
      return { kind: 'merge_failed', projectId: event.aggregate.id, sessionId: null, channelId: null, title: 'A merge failed', message: event.data.message };
    case 'notification_channel.test_requested':
      return { kind: 'test', projectId: null, sessionId: null, channelId: event.aggregate.id, title: 'Baton test notification', message: 'This channel works: Baton can reach it.' };
    default:
      return null;
  }
}
