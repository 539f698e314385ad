import {
  AttemptFollowUpRouted,
  AttemptSeatClaimed,
  AttemptSeatClosed,
  ProjectStepSpawned,
  ProjectStepStopRequested,
  QueueItemChanged,
  SessionEnded,
  SessionReady,
  SessionRequested,
  TaskAttemptChangesRequested,
  TaskAttemptFinished,
  TaskAttemptStarted,
  UsageReported,
  registry,
  type CommandEnvelope,
  type DomainEvent,
  type NewEvent,
  type SpawnRequest,
} from '@baton/events';
import { recorded } from '@baton/testing';
import { snapshot } from '../session/__tests__/session-fixtures';
import { budgetReactor } from './budget.reactor';
import { attemptReactor, lifecycleReactor, reviewFollowUp, seatReactor, stackReactor } from './session.reactors';

const on = (id: string, e: NewEvent, type: 'session' | 'project' = 'session') => recorded({ type, id }, e) as DomainEvent;
const decodable = (commands: CommandEnvelope[]) => commands.forEach((c) => expect(() => registry.decodeCommand(c)).not.toThrow());
const shape = (commands: CommandEnvelope[]) => commands.map((c) => [c.type, c.data]);
const request = (o: Partial<SpawnRequest> = {}): SpawnRequest => ({
  sessionId: 's2',
  projectId: 'p1',
  templateId: 'tpl',
  template: snapshot(),
  taskIds: ['t1'],
  strategy: 'simple',
  role: 'worker',
  parentSessionId: null,
  name: '',
  runnerLabels: {},
  budget: null,
  prompt: null,
  origin: { kind: 'attempt' },
  permissionMode: null,
  ...o,
});
const ended = (o: Partial<Parameters<typeof SessionEnded>[0]> = {}) =>
  SessionEnded({
    status: 'completed',
    reason: 'all green',
    exitCode: null,
    runnerId: 'r1',
    killProcess: true,
    cascadeTo: [],
    projectId: 'p1',
    attemptId: null,
    taskIds: ['t1'],
    parentSessionId: null,
    origin: { kind: 'manual' },
    ...o,
  });

describe(attemptReactor.name, () => {
  const started = on('p1', TaskAttemptStarted({ taskId: 't1', attemptId: 'a1', number: 1, branch: 'baton/x-a1', baseBranch: 'main', promptVersionId: null, sessionTemplateId: 'claude-code' }), 'project');

  it('an attempt started with a session template gets its session in the attempt, with an id derived from the event', () => {
    const commands = attemptReactor(started, { templateFor: () => snapshot() });
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ id: `${started.id}:0`, type: 'session.spawn_in_attempt', actor: { kind: 'system', id: 'sessions-reactor' }, issuedAt: started.occurredAt });
    expect(commands[0].data).toMatchObject({ sessionId: started.id, attemptId: 'a1', taskId: 't1', projectId: 'p1', templateId: 'claude-code', origin: { kind: 'attempt' } });
    decodable(commands);
    expect(attemptReactor(started, { templateFor: () => snapshot() })).toEqual(commands);
  });

  it('does nothing without a template, or with one it does not know', () => {
    const bare = on('p1', TaskAttemptStarted({ taskId: 't1', attemptId: 'a1', number: 1, branch: 'b', baseBranch: 'main', promptVersionId: null, sessionTemplateId: null }), 'project');
    expect(attemptReactor(bare, { templateFor: () => snapshot() })).toEqual([]);
    expect(attemptReactor(started, { templateFor: () => null })).toEqual([]);
  });

  it('a finished attempt closes its seat', () => {
    const commands = attemptReactor(on('p1', TaskAttemptFinished({ taskId: 't1', attemptId: 'a1', outcome: 'merged' }), 'project'), { templateFor: () => null });
    expect(shape(commands)).toEqual([['session.close_attempt_seat', { attemptId: 'a1', reason: 'attempt merged' }]]);
    decodable(commands);
  });
});

describe('review comments reach the agent', () => {
  const changes = (comment?: string) => on('p1', TaskAttemptChangesRequested({ taskId: 't1', attemptId: 'a1', ...(comment === undefined ? {} : { comment }) }), 'project');

  it("a comment is a follow-up into the attempt: its running session, or one like its last (id from the event)", () => {
    const event = changes('  rename foo to bar  ');
    const commands = attemptReactor(event, { templateFor: () => null });
    expect(shape(commands)).toEqual([
      ['session.follow_up', { attemptId: 'a1', taskId: 't1', text: reviewFollowUp('rename foo to bar'), kind: 'review_comment', newSession: null, likeLast: { sessionId: event.id } }],
    ]);
    expect(reviewFollowUp('rename foo to bar')).toContain('rename foo to bar');
    decodable(commands);
  });

  it('no comment: nothing to deliver', () => {
    expect(attemptReactor(changes(), { templateFor: () => null })).toEqual([]);
    expect(attemptReactor(changes('   '), { templateFor: () => null })).toEqual([]);
  });

  it('is typed into the session but not recorded twice: the review already put the comment in the conversation', () => {
    const routed = seatReactor(on('attempt-a1', AttemptFollowUpRouted({ attemptId: 'a1', taskId: 't1', sessionId: 's1', text: 'fix it', kind: 'review_comment' })));
    expect(routed.map((c) => c.type)).toEqual(['session.send_input']);
    const r = { ...request({ prompt: 'fix it', origin: { kind: 'follow_up' } }), attemptId: 'a1' };
    const claimed = seatReactor(on('attempt-a1', AttemptSeatClaimed({ attemptId: 'a1', sessionId: 's2', request: r, followUp: 'review_comment' })));
    expect(claimed.map((c) => c.type)).toEqual(['session.open_in_attempt']);
  });
});

describe(seatReactor.name, () => {
  it('opens the claimed session on its own subject', () => {
    const r = { ...request(), attemptId: 'a1' };
    const commands = seatReactor(on('attempt-a1', AttemptSeatClaimed({ attemptId: 'a1', sessionId: 's2', request: r })));
    expect(shape(commands)).toEqual([['session.open_in_attempt', r]]);
    decodable(commands);
  });

  it('a follow-up that started a session also joins the attempt’s conversation', () => {
    const r = { ...request({ prompt: 'also 404s', origin: { kind: 'follow_up' } }), attemptId: 'a1' };
    const commands = seatReactor(on('attempt-a1', AttemptSeatClaimed({ attemptId: 'a1', sessionId: 's2', request: r })));
    expect(commands.map((c) => c.type)).toEqual(['session.open_in_attempt', 'task.add_attempt_message']);
    expect(commands[1].data).toEqual({ taskId: 't1', attemptId: 'a1', role: 'user', kind: 'follow_up', text: 'also 404s', sessionId: 's2' });
    decodable(commands);
  });

  it('types a routed follow-up into the running session and records it in the conversation', () => {
    const commands = seatReactor(on('attempt-a1', AttemptFollowUpRouted({ attemptId: 'a1', taskId: 't1', sessionId: 's1', text: 'also 404s' })));
    expect(shape(commands)).toEqual([
      ['session.send_input', { sessionId: 's1', text: 'also 404s', kind: 'follow_up', fromSessionId: null }],
      ['task.add_attempt_message', { taskId: 't1', attemptId: 'a1', role: 'user', kind: 'follow_up', text: 'also 404s', sessionId: 's1' }],
    ]);
    decodable(commands);
  });

  it('stops the session in a closed seat', () => {
    expect(shape(seatReactor(on('attempt-a1', AttemptSeatClosed({ attemptId: 'a1', reason: 'attempt merged', sessionId: 's1' }))))).toEqual([
      ['session.stop', { sessionId: 's1', reason: 'attempt merged', cascade: true }],
    ]);
    expect(seatReactor(on('attempt-a1', AttemptSeatClosed({ attemptId: 'a1', reason: '', sessionId: null })))).toEqual([]);
  });
});

describe(lifecycleReactor.name, () => {
  it('a worker’s request shows on its parent’s timeline', () => {
    const e = on('w1', SessionRequested({ projectId: 'p1', templateId: 'codex', taskIds: ['t2'], attemptId: null, parentSessionId: 'o1', strategy: 'simple', role: 'worker' }));
    const commands = lifecycleReactor(e);
    expect(shape(commands)).toEqual([['session.record_worker_spawned', { sessionId: 'o1', workerId: 'w1', templateId: 'codex', taskIds: ['t2'] }]]);
    decodable(commands);
    expect(lifecycleReactor(on('s1', SessionRequested({ projectId: 'p1', templateId: 'codex', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' })))).toEqual([]);
  });

  it('an attempt’s session that completed releases the seat and asks for review', () => {
    const commands = lifecycleReactor(on('s1', ended({ attemptId: 'a1' })));
    expect(shape(commands)).toEqual([
      ['session.release_attempt_seat', { attemptId: 'a1', sessionId: 's1', status: 'completed', reason: 'all green' }],
      ['task.request_review', { projectId: 'p1', taskId: 't1', attemptId: 'a1', summary: 'all green' }],
    ]);
    decodable(commands);
    expect(lifecycleReactor(on('s1', ended({ attemptId: 'a1', status: 'failed' }))).map((c) => c.type)).toEqual(['session.release_attempt_seat']);
  });

  it('a worker that ended shows on its parent’s timeline; a cascading stop reaches live workers', () => {
    const commands = lifecycleReactor(on('w1', ended({ parentSessionId: 'o1', status: 'stopped', cascadeTo: ['w9'] })));
    expect(shape(commands)).toEqual([
      ['session.record_worker_finished', { sessionId: 'o1', workerId: 'w1', status: 'stopped' }],
      ['session.stop', { sessionId: 'w9', reason: 'parent w1 stopped', cascade: true }],
    ]);
    decodable(commands);
  });

  it('a startup step’s readiness and end move its project’s sequence on', () => {
    const origin = { kind: 'startup' as const, projectId: 'p1', step: 0 };
    expect(shape(lifecycleReactor(on('db', SessionReady({ via: 'ready_pattern', agent: null, origin }))))).toEqual([
      ['session.advance_project', { projectId: 'p1', sessionId: 'db', outcome: 'ready', status: null }],
    ]);
    expect(lifecycleReactor(on('db', SessionReady({ via: 'registered', agent: null, origin: { kind: 'manual' } })))).toEqual([]);
    const commands = lifecycleReactor(on('db', ended({ origin, status: 'exited' })));
    expect(shape(commands)).toEqual([['session.advance_project', { projectId: 'p1', sessionId: 'db', outcome: 'ended', status: 'exited' }]]);
    decodable(commands);
  });

  it('items of a session outside an attempt complete or fail their tasks; inside one the review decides', () => {
    const done = lifecycleReactor(on('q1', QueueItemChanged({ taskId: 't1', from: 'processing', to: 'completed', reason: '', projectId: 'p1', attemptId: null })));
    expect(shape(done)).toEqual([['task.complete', { projectId: 'p1', taskId: 't1', reason: 'completed in session q1' }]]);
    const failed = lifecycleReactor(on('q1', QueueItemChanged({ taskId: 't1', from: 'processing', to: 'failed', reason: 'red', projectId: 'p1', attemptId: null })));
    expect(shape(failed)).toEqual([['task.fail', { projectId: 'p1', taskId: 't1', reason: 'red' }]]);
    decodable([...done, ...failed]);
    expect(lifecycleReactor(on('q1', QueueItemChanged({ taskId: 't1', from: 'processing', to: 'completed', reason: '', projectId: 'p1', attemptId: 'a1' })))).toEqual([]);
    expect(lifecycleReactor(on('q1', QueueItemChanged({ taskId: 't1', from: 'queued', to: 'skipped', reason: '', projectId: 'p1', attemptId: null })))).toEqual([]);
  });
});

describe(stackReactor.name, () => {
  it('spawns the next startup step and stops the next one on close', () => {
    const r = request({ sessionId: 'db', taskIds: [], origin: { kind: 'startup', projectId: 'p1', step: 0 } });
    const spawn = stackReactor(on('project-p1', ProjectStepSpawned({ projectId: 'p1', index: 0, request: r })));
    expect(shape(spawn)).toEqual([['session.spawn', r]]);
    const stop = stackReactor(on('project-p1', ProjectStepStopRequested({ projectId: 'p1', sessionId: 'db' })));
    expect(shape(stop)).toEqual([['session.stop', { sessionId: 'db', reason: 'project p1 closing', cascade: true }]]);
    decodable([...spawn, ...stop]);
  });
});

describe(budgetReactor.name, () => {
  const report = on(
    's1',
    UsageReported({
      delta: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 1 },
      total: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 3 },
      taskId: 't1',
      model: null,
      projectId: 'p1',
      attemptId: 'a1',
    }),
  );
  const spent = (task: number, project: number) => () => ({ task: { costUsd: task, tokens: 0 }, project: { costUsd: project, tokens: 0 } });

  it('stops the reporting session when its task’s budget is passed', () => {
    const commands = budgetReactor(report, { budgets: () => ({ task: { maxCostUsd: 5, maxTokens: null }, project: null }), spent: spent(5.01, 20) });
    expect(shape(commands)).toEqual([
      ['session.stop_over_budget', { sessionId: 's1', scope: 'task', scopeId: 't1', limit: { maxCostUsd: 5, maxTokens: null }, spent: { costUsd: 5.01, tokens: 0 } }],
    ]);
    decodable(commands);
  });

  it('then the project’s; within both, nothing', () => {
    const budgets = () => ({ task: { maxCostUsd: 5, maxTokens: null }, project: { maxCostUsd: 10, maxTokens: null } });
    expect(budgetReactor(report, { budgets, spent: spent(4, 11) })[0].data).toMatchObject({ scope: 'project', scopeId: 'p1' });
    expect(budgetReactor(report, { budgets, spent: spent(5, 10) })).toEqual([]);
    expect(budgetReactor(report, { budgets: () => ({ task: null, project: null }), spent: spent(999, 999) })).toEqual([]);
  });
});
