import type { CommandDataOf, CommandEnvelope, DomainEvent, EventEnvelope } from '@baton/events';
import type { CloseAttemptConversation } from '@baton/events';

/**
 * Cross-aggregate consequences as pure functions: event → commands. Command ids are
 * derived from the event id (`<eventId>:<n>`), so a redelivered event sends the same
 * commands and the command processor's idempotency makes them happen once. Time is
 * the event's, the actor is the system acting on the event's behalf.
 */
export type ReactorCommand<T extends string = string, D = unknown> = CommandEnvelope<D> & { type: T };

export const REACTOR_ACTOR = { kind: 'system', id: 'tasks-reactor' } as const;

export function commandsFor(event: EventEnvelope, commands: { type: string; data: unknown }[]): ReactorCommand[] {
  return commands.map((c, i) => ({
    id: `${event.id}:${i}`,
    type: c.type,
    actor: REACTOR_ACTOR,
    correlationId: event.correlationId,
    issuedAt: event.occurredAt,
    data: c.data,
  }));
}

/**
 * Within the tasks service: when the graph records that an attempt finished, its
 * conversation (on the task's subject) stops taking messages.
 */
export function conversationReactor(event: DomainEvent): ReactorCommand[] {
  switch (event.type) {
    case 'project.task_attempt_finished': {
      const data: CommandDataOf<typeof CloseAttemptConversation> = {
        taskId: event.data.taskId,
        attemptId: event.data.attemptId,
        outcome: event.data.outcome,
      };
      return commandsFor(event, [{ type: 'task.close_attempt_conversation', data }]);
    }
    default:
      return [];
  }
}
