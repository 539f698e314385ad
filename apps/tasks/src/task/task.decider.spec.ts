import { AddAttemptMessage, AttemptConversationClosed, AttemptMessageAdded, CloseAttemptConversation } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { taskDecider, type TaskCommand } from './task.decider';

const T = { type: 'task' as const, id: 't1' };
const say = (data: Partial<{ attemptId: string; role: 'user' | 'agent' | 'system'; kind: 'prompt' | 'follow_up' | 'reply' | 'note'; text: string; sessionId: string | null }>) =>
  command(AddAttemptMessage.type, AddAttemptMessage.schema.parse({ taskId: 't1', attemptId: 'a1', role: 'user', kind: 'follow_up', text: 'hi', ...data })) as TaskCommand;
const close = (outcome: 'merged' | 'abandoned' | 'superseded' = 'merged') =>
  command(CloseAttemptConversation.type, { taskId: 't1', attemptId: 'a1', outcome }) as TaskCommand;
const prompt = recorded(T, AttemptMessageAdded({ attemptId: 'a1', role: 'user', kind: 'prompt', text: 'Do it', sessionId: null }));

describe('taskDecider (attempt conversations)', () => {
  const sut = deciderSpec(taskDecider);

  it('records the initial prompt, follow-ups and replies across sessions of one attempt', () => {
    sut.given([]).when(say({ kind: 'prompt', text: 'Do it' })).then([AttemptMessageAdded({ attemptId: 'a1', role: 'user', kind: 'prompt', text: 'Do it', sessionId: null })]);
    sut
      .given([prompt, recorded(T, AttemptMessageAdded({ attemptId: 'a1', role: 'agent', kind: 'reply', text: 'Done', sessionId: 's1' }))])
      .when(say({ text: 'Now the tests', sessionId: 's2' }))
      .then([AttemptMessageAdded({ attemptId: 'a1', role: 'user', kind: 'follow_up', text: 'Now the tests', sessionId: 's2' })]);
  });

  it('keeps a message as plain text, shell syntax included', () => {
    const [e] = sut.given([]).when(say({ kind: 'prompt', text: '$(rm -rf ~) `x` {{task.title}}' })).thenEvents();
    expect((e.data as { text: string }).text).toBe('$(rm -rf ~) `x` {{task.title}}');
  });

  it('refuses a second initial prompt, and a reply not from the agent', () => {
    sut.given([prompt]).when(say({ kind: 'prompt' })).thenThrows('conflict', /initial prompt/);
    sut.given([]).when(say({ kind: 'reply', role: 'user' })).thenThrows('validation', /agent/);
  });

  it('closes once; a closed conversation takes no more messages', () => {
    sut.given([prompt]).when(close()).then([AttemptConversationClosed({ attemptId: 'a1', outcome: 'merged' })]);
    const closed = [prompt, recorded(T, AttemptConversationClosed({ attemptId: 'a1', outcome: 'abandoned' }))];
    sut.given(closed).when(close('abandoned')).then([]);
    sut.given(closed).when(say({})).thenThrows('invalid_state', /finished \(abandoned\)/);
    sut.given(closed).when(say({ attemptId: 'a2', kind: 'prompt' })).thenEvents();
  });

  it('refuses empty or oversized text at the schema', () => {
    expect(() => AddAttemptMessage.schema.parse({ taskId: 't1', attemptId: 'a1', role: 'user', kind: 'note', text: '' })).toThrow();
    expect(() => AddAttemptMessage.schema.parse({ taskId: 't1', attemptId: 'a1', role: 'user', kind: 'note', text: 'x'.repeat(200_001) })).toThrow();
  });
});
