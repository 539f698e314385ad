import { RunnerStartSchema, type SessionEvent } from '@baton/events';
import { recorded } from '@baton/testing';
import { cmd, history, input, place, register, S, spawn, spawned, stateOf, stop, t } from '../session/__tests__/session-fixtures';
import { sessionDecider } from '../session/session.decider';
import { buildRunnerStart, runnerMessagesFor, type StartContext } from './runner-messages';

const ctx = (o: Partial<StartContext> = {}): StartContext => ({
  sessionId: 's1',
  repository: { location: '/srv/web', defaultBranch: 'main' },
  projectName: 'Web',
  projectEnv: {},
  attempt: { taskId: 't1', branch: 'baton/login-a1', baseBranch: 'main' },
  tasks: [{ id: 't1', title: 'Add login', description: '', acceptanceCriteria: [] }],
  parent: null,
  prompt: 'Add a login page',
  apiUrl: 'http://baton:3000',
  token: 'tok',
  port: 41000,
  size: { cols: 120, rows: 40 },
  ...o,
});

const lastEvents = (given: SessionEvent[], c: Parameters<typeof sessionDecider.decide>[0]) =>
  sessionDecider.decide(c, stateOf(given)).map((e) => recorded(S, e, c.issuedAt) as SessionEvent);

describe(buildRunnerStart.name, () => {
  it('builds the start message for the runner a session was placed on, valid against its schema', () => {
    const placed = history(cmd('session.open_in_attempt', { projectId: 'p1', templateId: 'tpl', template: (spawn().data as { template: unknown }).template, attemptId: 'a1', taskIds: ['t1'] }, t(0), 'system'), place('r7'));
    const { runnerId, data } = buildRunnerStart(stateOf(placed), ctx());
    expect(runnerId).toBe('r7');
    expect(() => RunnerStartSchema.parse(data)).not.toThrow();
    expect(data).toMatchObject({ sessionId: 's1', run: 0, kind: 'agent', workspace: { kind: 'attempt', attemptId: 'a1', branch: 'baton/login-a1' }, initialInput: [] });
    expect(data.launch.env.BATON_PROMPT).toBe('Add a login page');
  });

  it('carries input sent before the start; a session outside an attempt works in the project checkout', () => {
    const placed = history(spawn(), input('first this', {}, t(0)), place('r1'));
    expect(buildRunnerStart(stateOf(placed), ctx({ attempt: null })).data).toMatchObject({ initialInput: ['first this'], workspace: { kind: 'project' } });
  });

  it("starts the merge train's check in a detached checkout of the batch's result, fetched by the batch's ref", () => {
    const commit = 'c'.repeat(40);
    const placed = history(spawn({ origin: { kind: 'merge_check', target: 'main', batchId: 'mt1', commit } }, { kind: 'command' }), place('r2'));
    const { data } = buildRunnerStart(stateOf(placed), ctx({ attempt: null }));
    expect(() => RunnerStartSchema.parse(data)).not.toThrow();
    expect(data.workspace).toEqual({ kind: 'commit', ref: 'refs/baton-train/mt1', commit });
  });

  it('refuses a session that is not waiting to start', () => {
    expect(() => buildRunnerStart(stateOf(history(spawn())), ctx())).toThrow(/not waiting to start/);
  });
});

describe(runnerMessagesFor.name, () => {
  it('stops the process of an ended session on its runner, with its cleanup', () => {
    const [msg] = lastEvents(history(spawn(), place(), spawned(), register()), stop({ reason: 'done here' }))
      .filter((e) => e.type === 'session.ended')
      .flatMap(runnerMessagesFor);
    expect(msg).toEqual({ type: 'stop', runnerId: 'r1', data: { sessionId: 's1', reason: 'stopped: done here', graceMs: 10_000, cleanup: true } });
  });

  it('stops the old process of a restart without cleanup; nothing for a process already dead', () => {
    const stalled = history(spawn({}, { stallAfterMs: 1_000, stallAction: 'restart', restart: { mode: 'never', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 1, resetAfterMs: null } }), place(), spawned(), register(), cmd('session.report_status', { status: 'working' }, t(4), 'agent'));
    const msgs = lastEvents(stalled, cmd('session.check_stall', { lastOutputAt: null }, t(9), 'system')).flatMap(runnerMessagesFor);
    expect(msgs).toEqual([{ type: 'stop', runnerId: 'r1', data: expect.objectContaining({ cleanup: false }) }]);
    const exited = lastEvents(history(spawn(), place(), spawned(), register()), cmd('session.record_exit', { runnerId: 'r1', exitCode: 0 }, t(9), 'system'));
    expect(exited.flatMap(runnerMessagesFor)).toEqual([]);
  });

  it('asks the runner to submit a follow-up the way the agent takes it; raw text and interrupts go as typed', () => {
    const running = history(spawn(), place(), spawned(), register());
    expect(lastEvents(running, input('and the tests too', { kind: 'follow_up' })).flatMap(runnerMessagesFor)[0]).toMatchObject({ data: { data: 'and the tests too', submit: true } });
    expect(lastEvents(running, input('y', { kind: 'text' })).flatMap(runnerMessagesFor)[0]).toMatchObject({ data: { submit: false } });
  });

  it('a follow-up sent before the process runs is submitted at start (the runner adds its Enter)', () => {
    const pending = history(spawn(), input('start with this', { kind: 'follow_up' }, t(0)), place('r1'));
    expect(buildRunnerStart(stateOf(pending), ctx({ attempt: null })).data.initialInput).toEqual([{ data: 'start with this', submit: true }]);
  });

  it('names the real agent and its permission mode for the runner; the request overrides the template', () => {
    const agent = { agent: 'claude-code' as const, argv: ['claude'], registration: 'agent' as const, permissionMode: 'ask' as const };
    expect(buildRunnerStart(stateOf(history(spawn({}, agent), place())), ctx({ attempt: null })).data.agent).toEqual({ id: 'claude-code', permissionMode: 'ask', model: null });
    expect(buildRunnerStart(stateOf(history(spawn({ permissionMode: 'auto' }, agent), place())), ctx({ attempt: null })).data.agent).toMatchObject({ permissionMode: 'auto' });
    expect(buildRunnerStart(stateOf(history(spawn(), place())), ctx({ attempt: null })).data.agent).toBeNull();
  });

  it('types input into the runner that hosts the session, not before it runs', () => {
    expect(lastEvents(history(spawn(), place(), spawned(), register()), input('hi')).flatMap(runnerMessagesFor)).toEqual([{ type: 'input', runnerId: 'r1', data: { sessionId: 's1', data: 'hi', submit: false } }]);
    expect(lastEvents(history(spawn()), input('hi')).flatMap(runnerMessagesFor)).toEqual([]);
  });
});
