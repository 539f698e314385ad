import { QueueItemChanged } from '@baton/events';
import { deciderSpec } from '@baton/testing';
import { cmd, decide, find, history, place, register, report, reportStatus, spawn, spawned, stateOf, statuses, t, timelineKinds, types } from './__tests__/session-fixtures';
import { sessionDecider } from './session.decider';

const next = (at = t(5)) => cmd('session.queue_next', {}, at, 'agent');
const complete = (taskId: string | null = null, message = '') => cmd('session.queue_complete', { taskId, message }, t(6), 'agent');
const failItem = (reason = 'tests red', taskId: string | null = null) => cmd('session.queue_fail', { taskId, reason }, t(6), 'agent');
const skip = (taskId: string | null = null, reason = '') => cmd('session.queue_skip', { taskId, reason }, t(6), 'agent');
const queue = (...more: Parameters<typeof history>) => history(spawn({ strategy: 'queue', taskIds: ['t1', 't2', 't3'] }), place(), spawned(), register(), ...more);

describe('sessionDecider: queue strategy', () => {
  const sut = deciderSpec(sessionDecider);

  it('next takes the head of the queue: processing, task_started, working', () => {
    const events = decide(queue(), next());
    expect(events[0]).toEqual(QueueItemChanged({ taskId: 't1', from: 'queued', to: 'processing', reason: 'next in queue', projectId: 'p1', attemptId: null }));
    expect(timelineKinds(events)).toEqual(['task_started']);
    expect(statuses(events)).toEqual(['working']);
  });

  it('one item at a time: next while one is processing is 409 naming it', () => {
    sut.given(queue(next())).when(next()).thenThrows('conflict', /task t1 is still processing/);
  });

  it('complete, fail and skip finish the item in progress; the agent waits idle for the next', () => {
    const done = decide(queue(next()), complete(null, 'login works'));
    expect(find(done, 'session.queue_item_changed')).toMatchObject({ taskId: 't1', from: 'processing', to: 'completed' });
    expect(find(done, 'session.timeline_recorded')).toMatchObject({ kind: 'task_completed', message: 'login works', taskId: 't1' });
    expect(statuses(done)).toEqual(['idle']);
    expect(timelineKinds(decide(queue(next()), failItem()))).toEqual(['task_failed']);
    expect(timelineKinds(decide(queue(next()), skip()))).toEqual(['task_skipped']);
  });

  it('skips a queued item by name; it is never taken', () => {
    const skipped = queue(skip('t2', 'duplicate'), next(), complete());
    const taken = decide(skipped, next());
    expect(find(taken, 'session.queue_item_changed')).toMatchObject({ taskId: 't3' });
  });

  it('the session completes when its queue drains, with a summary', () => {
    const last = queue(next(), complete(), next(), failItem(), next());
    const events = decide(last, complete());
    expect(statuses(events)).toEqual(['completed']);
    expect(find(events, 'session.ended')).toMatchObject({ status: 'completed', reason: 'queue drained: 2 completed, 1 failed, 0 skipped', killProcess: true });
    expect(types(decide(queue(skip('t1'), skip('t2')), skip('t3'))).at(-1)).toBe('session.ended');
  });

  it('refuses moves that do not fit the item', () => {
    sut.given(queue()).when(complete()).thenThrows('invalid_state', /no task in progress/);
    sut.given(queue(next())).when(complete('t9')).thenThrows('not_found', /t9 is not one of/);
    sut.given(queue(next(), complete())).when(skip('t1')).thenThrows('conflict', /already completed/);
    sut.given(queue(next())).when(cmd('session.queue_complete', { taskId: 't2' }, t(6), 'agent')).thenThrows('conflict', /t2 is queued, not in progress/);
  });

  it('refuses queue commands on a simple session and on one that has not started', () => {
    sut.given(history(spawn({ taskIds: ['t1'] }), place(), spawned(), register())).when(next()).thenThrows('validation', /simple strategy/);
    sut.given(history(spawn({ strategy: 'queue', taskIds: ['t1'] }))).when(next()).thenThrows('invalid_state', /not started/);
  });

  it('the first queue command of an agent that did not register counts as its registration', () => {
    const events = decide(history(spawn({ strategy: 'queue', taskIds: ['t1'] }), place(), spawned()), next());
    expect(statuses(events)).toEqual(['idle', 'working']);
  });

  it('an agent that exits with items left failed (its restart policy may run it again)', () => {
    const events = decide(queue(next()), cmd('session.record_exit', { runnerId: 'r1', exitCode: 0 }, t(9), 'system'));
    expect(find(events, 'session.ended')).toMatchObject({ status: 'failed', reason: expect.stringContaining('3 queue items left') });
  });
});

describe('sessionDecider: task items of a simple session', () => {
  const sut = deciderSpec(sessionDecider);
  const simple = (...more: Parameters<typeof history>) => history(spawn({ taskIds: ['t1', 't2'] }), place(), spawned(), register(), ...more);

  it('task reports move the items; all done does not end a simple session', () => {
    const started = decide(simple(), report('task_started', { taskId: 't2' }));
    expect(find(started, 'session.queue_item_changed')).toMatchObject({ taskId: 't2', to: 'processing' });
    expect(statuses(started)).toEqual(['working']);
    const story = simple(report('task_completed', { taskId: 't1' }), report('task_started', { taskId: 't2' }));
    const last = decide(story, report('task_completed', { taskId: 't2', message: 'done' }));
    expect(types(last)).not.toContain('session.ended');
    expect(stateOf(simple(report('task_completed', { taskId: 't1' }))).items).toEqual([
      { taskId: 't1', status: 'completed' },
      { taskId: 't2', status: 'queued' },
    ]);
  });

  it('a task report without a task id means the task in progress (or the only one)', () => {
    const single = history(spawn({ taskIds: ['t1'] }), place(), spawned(), register());
    expect(find(decide(single, report('task_completed')), 'session.queue_item_changed')).toMatchObject({ taskId: 't1' });
    sut.given(simple()).when(report('task_completed')).thenThrows('invalid_state', /name the task/);
  });

  it('reporting done twice changes nothing; failing a completed task is a conflict', () => {
    const done = simple(report('task_completed', { taskId: 't1' }));
    sut.given(done).when(report('task_completed', { taskId: 't1' })).then([]);
    sut.given(done).when(report('task_failed', { taskId: 't1' })).thenThrows('conflict');
  });

  it('records the report even when the agent reports its status as well', () => {
    expect(timelineKinds(decide(simple(reportStatus('working')), report('task_started', { taskId: 't1' })))).toEqual(['task_started']);
  });
});
