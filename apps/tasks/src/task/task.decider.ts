import {
  AddAttemptMessage,
  AttemptConversationClosed,
  AttemptMessageAdded,
  CloseAttemptConversation,
  DomainError,
  type AttemptOutcome,
  type CommandOf,
  type Decider,
  type NewEvent,
  type TaskEvent,
} from '@baton/events';

/**
 * The task's own subject: its attempts' conversations, the high-volume part.
 * Messages accumulate per attempt across its sessions. The attempt's lifecycle is
 * decided with the task graph (project subject); a reactor closes the conversation
 * here when the attempt finishes. An attempt this subject has not heard of is
 * accepted: the edge checks it exists (attempts read model) before sending.
 */
export interface TaskConversationState {
  /** Attempts whose conversation is closed, with how they ended. */
  closed: Map<string, AttemptOutcome>;
  messages: Map<string, number>;
}

export type TaskCommand = CommandOf<typeof AddAttemptMessage> | CommandOf<typeof CloseAttemptConversation>;

export const taskDecider: Decider<TaskConversationState, TaskCommand, TaskEvent> = {
  aggregate: 'task',
  commands: [AddAttemptMessage, CloseAttemptConversation],
  aggregateIdOf: (c) => c.data.taskId,
  initialState: () => ({ closed: new Map(), messages: new Map() }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'task.add_attempt_message': {
        const { attemptId, role, kind, text, sessionId } = command.data;
        const outcome = state.closed.get(attemptId);
        if (outcome) {
          throw new DomainError('invalid_state', `attempt ${attemptId} is finished (${outcome}); its conversation takes no more messages`, { attemptId, outcome });
        }
        if (kind === 'prompt' && (state.messages.get(attemptId) ?? 0) > 0) {
          throw new DomainError('conflict', `attempt ${attemptId} already has its initial prompt; send a follow_up`, { attemptId });
        }
        if (kind === 'reply' && role !== 'agent') throw new DomainError('validation', 'a reply comes from the agent (role "agent")', { role, kind });
        return [AttemptMessageAdded({ attemptId, role, kind, text, sessionId })];
      }
      case 'task.close_attempt_conversation': {
        const { attemptId, outcome } = command.data;
        return state.closed.has(attemptId) ? [] : [AttemptConversationClosed({ attemptId, outcome })];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): TaskConversationState {
    switch (event.type) {
      case 'task.attempt_message_added': {
        const messages = new Map(state.messages);
        messages.set(event.data.attemptId, (messages.get(event.data.attemptId) ?? 0) + 1);
        return { ...state, messages };
      }
      case 'task.attempt_conversation_closed': {
        const closed = new Map(state.closed);
        closed.set(event.data.attemptId, event.data.outcome);
        return { ...state, closed };
      }
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};
