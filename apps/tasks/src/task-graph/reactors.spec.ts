import { TaskAttemptFinished, TaskStatusChanged, registry, type DomainEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { conversationReactor } from './reactors';

const P = { type: 'project' as const, id: 'p1' };

describe(conversationReactor.name, () => {
  it('closes the conversation of a finished attempt, with an id derived from the event', () => {
    const event = recorded(P, TaskAttemptFinished({ taskId: 't1', attemptId: 'a1', outcome: 'merged' })) as DomainEvent;
    const commands = conversationReactor(event);
    expect(commands).toEqual([
      {
        id: `${event.id}:0`,
        type: 'task.close_attempt_conversation',
        actor: { kind: 'system', id: 'tasks-reactor' },
        correlationId: event.correlationId,
        issuedAt: event.occurredAt,
        data: { taskId: 't1', attemptId: 'a1', outcome: 'merged' },
      },
    ]);
    expect(conversationReactor(event)).toEqual(commands);
    expect(() => registry.decodeCommand(commands[0])).not.toThrow();
  });

  it('ignores everything else', () => {
    expect(conversationReactor(recorded(P, TaskStatusChanged({ taskId: 't1', from: 'todo', to: 'ready', cause: 'dependencies_met' })) as DomainEvent)).toEqual([]);
  });
});
