import { InputSent } from '@baton/events';
import { deciderSpec } from '@baton/testing';
import {
  cmd,
  decide,
  exit,
  find,
  history,
  input,
  match,
  place,
  register,
  report,
  reportStatus,
  running,
  runningCommand,
  spawn,
  spawned,
  stall,
  stateOf,
  statuses,
  t,
  timelineKinds,
  types,
  usage,
} from './__tests__/session-fixtures';
import { progressOf } from './session-signals.decide';
import { sessionDecider } from './session.decider';

describe('sessionDecider: status from fused signals', () => {
  const sut = deciderSpec(sessionDecider);

  it('the agent moves itself between idle, working and needs_input', () => {
    const idle = running();
    expect(statuses(decide(idle, reportStatus('working')))).toEqual(['working']);
    const working = history(spawn(), place(), spawned(), register(), reportStatus('working'));
    expect(statuses(decide(working, reportStatus('idle')))).toEqual(['idle']);
    const asks = decide(working, reportStatus('needs_input', t(5), 'Which database?'));
    expect(statuses(asks)).toEqual(['needs_input']);
    expect(timelineKinds(asks)).toEqual(['needs_input']);
    sut.given(working).when(reportStatus('working')).then([]);
  });

  it('a report before registration counts as the registration', () => {
    const events = decide(history(spawn(), place(), spawned()), reportStatus('working'));
    expect(types(events)[0]).toBe('session.ready');
    expect(statuses(events)).toEqual(['idle', 'working']);
  });

  it('the agent completing or failing ends the session and kills the process', () => {
    const done = decide(running(), reportStatus('completed', t(9), 'all green'));
    expect(statuses(done)).toEqual(['completed']);
    expect(find(done, 'session.ended')).toMatchObject({ status: 'completed', reason: 'all green', killProcess: true, runnerId: 'r1' });
    expect(statuses(decide(running(), reportStatus('failed')))).toEqual(['failed']);
  });

  it('output heuristics decide the status only of an agent that does not report its own', () => {
    const parsers = [{ name: 'ask', pattern: '\\(y/n\\)', kind: 'needs_input' as const }];
    const silent = history(spawn({}, { registration: 'on_spawn', parsers }), place(), spawned());
    const asks = decide(silent, match('parser', { parser: 'ask', text: 'Proceed? (y/n)' }));
    expect(statuses(asks)).toEqual(['needs_input']);
    expect(timelineKinds(asks)).toEqual(['needs_input']);
    const reporting = history(spawn({}, { parsers }), place(), spawned(), register(), reportStatus('working'));
    const ignored = decide(reporting, match('parser', { parser: 'ask', text: 'Proceed? (y/n)' }));
    expect(statuses(ignored)).toEqual([]);
    expect(timelineKinds(ignored)).toEqual(['needs_input']);
  });

  it('typing into an idle or waiting agent makes it working unless the agent reports its own status', () => {
    const silent = history(spawn({}, { registration: 'on_spawn' }), place(), spawned());
    const typed = decide(silent, input('yes'));
    expect(types(typed)).toEqual(['session.input_sent', 'session.status_changed']);
    expect(statuses(typed)).toEqual(['working']);
    expect(statuses(decide(running(), input('yes')))).toEqual([]);
  });

  it('never working with a dead process: reports after the exit are refused and change nothing', () => {
    const restarting = history(
      spawn({}, { restart: { mode: 'always', backoffMs: 60_000, maxBackoffMs: 60_000, maxRestarts: 5, resetAfterMs: null } }),
      place(),
      spawned(),
      register(),
      reportStatus('working'),
      exit(1, t(10)),
    );
    expect(stateOf(restarting)).toMatchObject({ status: 'pending', process: 'none' });
    sut.given(restarting).when(reportStatus('working', t(11))).thenThrows('invalid_state', /not started yet/);
    const ended = history(spawn(), place(), spawned(), register(), reportStatus('working'), exit(0, t(10)));
    sut.given(ended).when(reportStatus('working', t(11))).thenThrows('invalid_state', /completed: cannot report/);
    sut.given(ended).when(report('progress', { message: 'late', progress: 0.5 }, t(11))).thenThrows('invalid_state');
  });

  it('records the agent’s timeline reports, with its current task', () => {
    const one = running({}, { taskIds: ['t1'] });
    const progress = decide(one, report('progress', { message: 'half way', progress: 0.5 }));
    expect(find(progress, 'session.timeline_recorded')).toMatchObject({ kind: 'progress', message: 'half way', progress: 0.5, taskId: 't1', source: 'agent' });
    expect(timelineKinds(decide(one, report('milestone', { message: 'schema migrated' })))).toEqual(['milestone']);
    expect(timelineKinds(decide(one, report('error', { message: 'flaky test' })))).toEqual(['error']);
    expect(timelineKinds(decide(one, report('task_blocked', { taskId: 't1', message: 'needs API key' })))).toEqual(['task_blocked']);
    sut.given(one).when(report('milestone', { taskId: 't9' })).thenThrows('not_found', /not one of session s1's tasks/);
  });
});

describe('sessionDecider: watchdog', () => {
  const stallTemplate = (action: 'notify' | 'interrupt' | 'restart' | 'fail', restartMax = 0) => ({
    stallAfterMs: 60_000,
    stallAction: action,
    restart: { mode: 'never' as const, backoffMs: 0, maxBackoffMs: 0, maxRestarts: restartMax, resetAfterMs: null },
  });
  const working = (action: 'notify' | 'interrupt' | 'restart' | 'fail', restartMax = 0) =>
    history(spawn({}, stallTemplate(action, restartMax)), place(), spawned(), register(), reportStatus('working', t(4)));

  it('does nothing while there was output or a report within stallAfter', () => {
    expect(decide(working('notify'), stall(t(50), t(100)))).toEqual([]);
    expect(decide(working('notify'), stall(null, t(63)))).toEqual([]);
  });

  it('a quiet working session becomes stalled, with the action on the timeline (notify)', () => {
    const events = decide(working('notify'), stall(t(4), t(64)));
    expect(statuses(events)).toEqual(['stalled']);
    expect(find(events, 'session.timeline_recorded')).toMatchObject({ kind: 'stalled', message: 'no output and no report for 60s; action: notify', source: 'watchdog' });
  });

  it('interrupt sends Ctrl-C to the process', () => {
    const events = decide(working('interrupt'), stall(null, t(70)));
    expect(events.at(-1)).toEqual(InputSent({ kind: 'interrupt', text: '\u0003', fromSessionId: null, runnerId: 'r1' }));
  });

  it('restart restarts it whatever the restart mode, within maxRestarts; fail fails it', () => {
    expect(statuses(decide(working('restart', 1), stall(null, t(70))))).toEqual(['stalled', 'pending']);
    expect(find(decide(working('restart', 1), stall(null, t(70))), 'session.restart_scheduled')).toMatchObject({ killProcess: true, previousRunnerId: 'r1' });
    expect(statuses(decide(working('restart', 0), stall(null, t(70))))).toEqual(['stalled', 'failed']);
    const failed = decide(working('fail'), stall(null, t(70)));
    expect(statuses(failed)).toEqual(['stalled', 'failed']);
    expect(find(failed, 'session.ended')).toMatchObject({ killProcess: true, reason: 'stalled: no output and no report for 66s' });
  });

  it('a stalled session that shows output again is working', () => {
    const stalled = history(spawn({}, stallTemplate('notify')), place(), spawned(), register(), reportStatus('working', t(4)), stall(null, t(70)));
    expect(decide(stalled, stall(t(60), t(80)))).toEqual([]);
    expect(statuses(decide(stalled, stall(t(75), t(80))))).toEqual(['working']);
    expect(statuses(decide(stalled, reportStatus('working', t(72))))).toEqual(['working']);
  });

  it('idle sessions and templates without stallAfter never stall', () => {
    expect(decide(history(spawn({}, stallTemplate('notify')), place(), spawned(), register()), stall(null, t(1000)))).toEqual([]);
    expect(decide(history(spawn(), place(), spawned(), register(), reportStatus('working')), stall(null, t(1000)))).toEqual([]);
  });
});

describe('sessionDecider: quota wait', () => {
  const quota = { quota: { pattern: 'limit reached', resumeInput: 'continue\r', defaultWaitMs: 600_000 } };
  const working = () => history(spawn({}, quota), place(), spawned(), register(), reportStatus('working'));

  it('waits until the reset time the message names, then resumes in the same session', () => {
    const waiting = decide(working(), match('quota', { text: 'Usage limit reached, resets in 2h', groups: { reset: 'in 2h' } }, t(100)));
    expect(statuses(waiting)).toEqual(['waiting_quota']);
    expect(find(waiting, 'session.status_changed')).toMatchObject({ source: 'output', until: t(100 + 7200) });
    const story = history(spawn({}, quota), place(), spawned(), register(), reportStatus('working'), match('quota', { text: 'limit', groups: { reset: 'in 2h' } }, t(100)));
    expect(decide(story, cmd('session.resume_after_quota', {}, t(7299), 'system'))).toEqual([]);
    const resumed = decide(story, cmd('session.resume_after_quota', {}, t(7300), 'system'));
    expect(statuses(resumed)).toEqual(['idle']);
    expect(resumed.at(-1)).toEqual(InputSent({ kind: 'resume', text: 'continue\r', fromSessionId: null, runnerId: 'r1' }));
  });

  it('waits the template’s default when the message names no time; an agent report ends the wait', () => {
    const waiting = history(spawn({}, quota), place(), spawned(), register(), reportStatus('working'), match('quota', { text: 'limit reached' }, t(100)));
    expect(stateOf(waiting)).toMatchObject({ status: 'waiting_quota', until: t(700) });
    expect(statuses(decide(waiting, reportStatus('working', t(200))))).toEqual(['working']);
  });

  it('a process that dies while waiting ends the wait like any exit', () => {
    const waiting = history(spawn({}, quota), place(), spawned(), register(), match('quota', { text: 'limit' }, t(100)));
    expect(statuses(decide(waiting, exit(1, t(200))))).toEqual(['failed']);
    expect(decide(history(spawn({}, quota), place(), spawned(), register(), reportStatus('working')), cmd('session.resume_after_quota', {}, t(9), 'system'))).toEqual([]);
  });
});

describe('sessionDecider: input, usage, budget, workers', () => {
  const sut = deciderSpec(sessionDecider);

  it('input to a running session goes to its runner; input before it runs waits for the start', () => {
    expect(decide(running(), input('also add tests', { kind: 'follow_up' }))[0]).toEqual(InputSent({ kind: 'follow_up', text: 'also add tests', fromSessionId: null, runnerId: 'r1' }));
    const pending = history(spawn(), input('first this', {}, t(0)));
    expect(stateOf(pending).queuedInput).toEqual(['first this']);
    expect(stateOf(history(spawn(), input('first this', {}, t(0)), place(), spawned())).queuedInput).toEqual([]);
    sut.given(history(spawn(), stop())).when(input('hello')).thenThrows('invalid_state', /stopped: cannot take input/);
  });

  it('adds usage deltas up, attributed to the current task', () => {
    const story = history(spawn({ taskIds: ['t1'] }), place(), spawned(), register(), usage({ inputTokens: 100, outputTokens: 50, costUsd: 0.1 }));
    const next = decide(story, usage({ inputTokens: 10, costUsd: 0.02, model: 'opus' }));
    expect(find(next, 'session.usage_reported')).toEqual({
      delta: { inputTokens: 10, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.02 },
      total: { inputTokens: 110, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.12 },
      taskId: 't1',
      model: 'opus',
      projectId: 'p1',
      attemptId: null,
    });
    expect(decide(story, usage({}))).toEqual([]);
  });

  it('stops a session that passes its own budget, with budget_exceeded on its timeline', () => {
    const capped = history(spawn({ budget: { maxCostUsd: 1, maxTokens: null } }), place(), spawned(), register(), usage({ costUsd: 0.6 }));
    expect(types(decide(capped, usage({ costUsd: 0.4 })))).toEqual(['session.usage_reported']);
    const over = decide(capped, usage({ costUsd: 0.5 }));
    expect(timelineKinds(over)).toEqual(['budget_exceeded', 'session_stopped']);
    expect(statuses(over)).toEqual(['stopped']);
    expect(find(over, 'session.ended')).toMatchObject({ status: 'stopped', reason: 'session budget exceeded (this session): $1.10 spent of $1.00', killProcess: true });
  });

  it('records usage reported after the end without stopping anything again', () => {
    const ended = history(spawn({ budget: { maxCostUsd: 1, maxTokens: null } }), place(), spawned(), register(), reportStatus('completed'));
    expect(types(decide(ended, usage({ costUsd: 5 })))).toEqual(['session.usage_reported']);
  });

  it('stops for a task or project budget the reactor found passed', () => {
    const over = decide(running(), cmd('session.stop_over_budget', { scope: 'project', scopeId: 'p1', limit: { maxCostUsd: 10, maxTokens: null }, spent: { costUsd: 10.5, tokens: 1 } }, t(9), 'system'));
    expect(find(over, 'session.timeline_recorded')).toMatchObject({ kind: 'budget_exceeded', message: 'project budget exceeded (project p1): $10.50 spent of $10.00' });
    expect(statuses(over)).toEqual(['stopped']);
  });

  it('keeps its workers on its timeline', () => {
    const parent = running({}, { role: 'orchestrator' });
    const spawnedW = decide(parent, cmd('session.record_worker_spawned', { workerId: 'w1', templateId: 'codex', taskIds: ['t2'] }, t(5), 'system'));
    expect(find(spawnedW, 'session.timeline_recorded')).toMatchObject({ kind: 'worker_spawned', workerId: 'w1', message: 'worker w1 spawned (codex)' });
    const withWorker = history(spawn({ role: 'orchestrator' }), place(), spawned(), register(), cmd('session.record_worker_spawned', { workerId: 'w1', templateId: 'codex', taskIds: [] }, t(5), 'system'));
    sut.given(withWorker).when(cmd('session.record_worker_spawned', { workerId: 'w1', templateId: 'codex', taskIds: [] }, t(6), 'system')).then([]);
    const finished = decide(withWorker, cmd('session.record_worker_finished', { workerId: 'w1', status: 'completed' }, t(7), 'system'));
    expect(find(finished, 'session.timeline_recorded')).toMatchObject({ kind: 'worker_finished', workerId: 'w1', workerStatus: 'completed' });
  });

  it('reads progress from percent or fraction groups', () => {
    expect(progressOf({ percent: '45' })).toBe(0.45);
    expect(progressOf({ progress: '0.3' })).toBe(0.3);
    expect(progressOf({ progress: '30%' })).toBe(0.3);
    expect(progressOf({ percent: '250' })).toBe(1);
    expect(progressOf({ percent: 'x' })).toBeNull();
    expect(progressOf({})).toBeNull();
  });

  it('turns parser matches into timeline entries; unknown parsers and late output are handled', () => {
    const parsers = [
      { name: 'pct', pattern: '(?<percent>\\d+)%', kind: 'progress' as const },
      { name: 'built', pattern: 'Compiled', kind: 'milestone' as const },
    ];
    const story = runningCommand({ parsers });
    const pct = decide(story, match('parser', { parser: 'pct', text: '42% done', groups: { percent: '42' } }));
    expect(find(pct, 'session.timeline_recorded')).toMatchObject({ kind: 'progress', progress: 0.42, source: 'output', match: { pattern: 'parser', parser: 'pct' } });
    expect(timelineKinds(decide(story, match('parser', { parser: 'built', text: 'Compiled in 2s' })))).toEqual(['milestone']);
    sut.given(story).when(match('parser', { parser: 'nope' })).thenThrows('validation', /no parser "nope"/);
    sut.given(history(spawn(), stop())).when(match('ready')).then([]);
    sut.given(story).when(match('ready', {}, t(5), 'r2')).thenThrows('conflict');
  });
});

function stop() {
  return cmd('session.stop', {}, t(1));
}

describe('session.answer_permission', () => {
  const agent = { agent: 'claude-code' as const, argv: ['claude'], registration: 'agent' as const };
  const asking = () => history(spawn({}, agent), place(), spawned(), register(), reportStatus('needs_input', t(4), 'Claude Code asks to use Bash: rm -rf build'));

  it("types the agent's approve key and is working again", () => {
    const events = sessionDecider.decide(cmd('session.answer_permission', { decision: 'approve' }, t(5)), stateOf(asking()));
    expect(events.find((e) => e.type === 'session.input_sent')?.data).toMatchObject({ kind: 'text', text: '1', runnerId: 'r1' });
    expect(events.find((e) => e.type === 'session.status_changed')?.data).toMatchObject({ to: 'working' });
  });

  it('types its deny key (Esc) and waits idle for instructions', () => {
    const events = sessionDecider.decide(cmd('session.answer_permission', { decision: 'deny' }, t(5)), stateOf(asking()));
    expect(events.find((e) => e.type === 'session.input_sent')?.data).toMatchObject({ text: '\u001b' });
    expect(events.find((e) => e.type === 'session.status_changed')?.data).toMatchObject({ to: 'idle' });
  });

  it('refuses when nothing waits, or when the session runs no real agent', () => {
    const working = history(spawn({}, agent), place(), spawned(), register(), reportStatus('working'));
    expect(() => sessionDecider.decide(cmd('session.answer_permission', { decision: 'approve' }, t(5)), stateOf(working))).toThrow(/nothing waits/);
    const plain = history(spawn(), place(), spawned(), register(), reportStatus('needs_input'));
    expect(() => sessionDecider.decide(cmd('session.answer_permission', { decision: 'approve' }, t(5)), stateOf(plain))).toThrow(/no agent Baton can answer/);
  });
});

describe("a real agent's blocking dialog (adapter blockingDialog, matched by the runner)", () => {
  const agent = { agent: 'claude-code' as const, argv: ['claude'], registration: 'agent' as const, registrationTimeoutMs: 30_000 };
  const trust = 'Quick safety check: Is this a project you created or one you trust?';
  const shownCommands = () => [spawn({}, agent), place(), spawned(), match('dialog', { text: trust }, t(4))];
  const shown = () => history(...shownCommands());

  it('before the agent is ready: needs_input with the dialog text, and no registration timeout while a person answers', () => {
    const events = decide(history(spawn({}, agent), place(), spawned()), match('dialog', { text: trust }, t(4)));
    expect(statuses(events)).toEqual(['needs_input']);
    expect(find(events, 'session.timeline_recorded')).toMatchObject({ kind: 'needs_input', message: `Claude Code shows a dialog Baton could not pass: ${trust}` });
    expect(decide(shown(), cmd('session.check_registration', {}, t(600), 'system'))).toEqual([]);
  });

  it('answered in the terminal, the agent registers and is idle', () => {
    const answered = history(...shownCommands(), input('\r', {}, t(8)));
    expect(stateOf(answered).status).toBe('working');
    const events = decide(answered, register(t(9)));
    expect(types(events)[0]).toBe('session.ready');
    expect(statuses(events)).toEqual(['idle']);
  });

  it('after the agent is ready the same words are its own output: nothing changes', () => {
    const ready = history(spawn({}, agent), place(), spawned(), register());
    expect(decide(ready, match('dialog', { text: trust }))).toEqual([]);
  });

  it("the agent's own report before it registered stays", () => {
    const reported = history(spawn({}, agent), place(), spawned(), reportStatus('working', t(4)));
    expect(decide(reported, register(t(5)))).toEqual([]);
  });
});
