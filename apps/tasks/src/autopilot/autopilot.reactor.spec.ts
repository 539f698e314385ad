import {
  AutopilotConfigured,
  AutopilotHoldChanged,
  DEFAULT_AUTOPILOT_SETTINGS,
  SessionEnded,
  TaskAttemptReviewRequested,
  TaskPlanReviewed,
  TaskPlanned,
  TaskStatusChanged,
  registry,
  type DomainEvent,
} from '@baton/events';
import { recorded } from '@baton/testing';
import { autopilotReactor, plannerSessionId } from './autopilot.reactor';

const P = { type: 'project' as const, id: 'p1' };
const S = { type: 'session' as const, id: 's1' };
const at = <E>(ref: typeof P | typeof S, e: E) => recorded(ref, e as never) as DomainEvent;
const sent = (e: DomainEvent) => autopilotReactor(e).map((c) => [c.type, c.data]);

describe('autopilot reactor', () => {
  it('asks the project to dispatch a task that became ready (the aggregate decides whether autopilot runs it)', () => {
    const e = at(P, TaskStatusChanged({ taskId: 't1', from: 'todo', to: 'ready', cause: 'dependencies_met' }));
    const commands = autopilotReactor(e);
    expect(commands.map((c) => [c.id, c.type, c.data])).toEqual([[`${e.id}:0`, 'autopilot.dispatch', { projectId: 'p1', taskIds: ['t1'], reason: 'ready' }]]);
    expect(() => registry.decodeCommand(commands[0])).not.toThrow();
    expect(autopilotReactor(e)).toEqual(commands);
    expect(sent(at(P, TaskStatusChanged({ taskId: 't1', from: 'ready', to: 'in_progress', cause: 'attempt_started' })))).toEqual([]);
  });

  it('sweeps every task when autopilot is switched on, resumed, or a hold ends', () => {
    expect(sent(at(P, AutopilotConfigured({ ...DEFAULT_AUTOPILOT_SETTINGS, enabled: true })))).toEqual([['autopilot.dispatch', { projectId: 'p1', taskIds: null, reason: 'autopilot switched on' }]]);
    expect(sent(at(P, AutopilotConfigured({ ...DEFAULT_AUTOPILOT_SETTINGS, enabled: false })))).toEqual([]);
    expect(sent(at(P, AutopilotHoldChanged({ taskId: 'g', hold: null, reason: 'merged' })))).toHaveLength(1);
    expect(sent(at(P, AutopilotHoldChanged({ taskId: 'g', hold: 'planning', reason: 'x' })))).toEqual([]);
  });

  it('offers a reviewed attempt for merging (the aggregate merges only its own, under the merge policy)', () => {
    const e = at(P, TaskAttemptReviewRequested({ taskId: 't1', attemptId: 'a1' }));
    expect(sent(e)).toEqual([['autopilot.merge', { projectId: 'p1', taskId: 't1', attemptId: 'a1', auto: true }]]);
  });

  it('reports the end of an attempt session, and of a planner session', () => {
    const base = { reason: 'exit 1', exitCode: 1, runnerId: 'r1', killProcess: false, cascadeTo: [], projectId: 'p1', parentSessionId: null };
    const inAttempt = at(S, SessionEnded({ ...base, status: 'failed', attemptId: 'a1', taskIds: ['t1'], origin: { kind: 'attempt' } }));
    expect(sent(inAttempt)).toEqual([['autopilot.record_session_end', { projectId: 'p1', taskId: 't1', attemptId: 'a1', sessionId: 's1', status: 'failed', reason: 'exit 1' }]]);
    const planner = at(S, SessionEnded({ ...base, status: 'completed', attemptId: null, taskIds: ['g'], origin: { kind: 'planner', taskId: 'g', depth: 1 } }));
    expect(sent(planner)).toEqual([['task.record_planner_end', { projectId: 'p1', taskId: 'g', sessionId: 's1', status: 'completed', reason: 'exit 1' }]]);
    expect(sent(at(S, SessionEnded({ ...base, status: 'failed', attemptId: null, taskIds: [], origin: { kind: 'manual' } })))).toEqual([]);
  });

  it('recurses: a plan that runs decomposes each child one level less deep, with a planner id derived from the event', () => {
    const planned = at(P, TaskPlanned({ taskId: 'g', decision: 'decompose', reason: 'r', children: ['c1', 'c2'], sessionId: 'pl', needsApproval: false, depth: 2 }));
    const commands = autopilotReactor(planned);
    expect(commands.map((c) => [c.type, c.data])).toEqual([
      ['task.decompose', { projectId: 'p1', taskId: 'c1', sessionId: plannerSessionId(planned.id, 'c1'), depth: 1, plannerTemplateId: null }],
      ['task.decompose', { projectId: 'p1', taskId: 'c2', sessionId: plannerSessionId(planned.id, 'c2'), depth: 1, plannerTemplateId: null }],
    ]);
    for (const c of commands) expect(() => registry.decodeCommand(c)).not.toThrow();
    expect(sent(at(P, TaskPlanned({ taskId: 'g', decision: 'decompose', reason: 'r', children: ['c1'], sessionId: 'pl', needsApproval: true, depth: 2 })))).toEqual([]);
    expect(sent(at(P, TaskPlanned({ taskId: 'g', decision: 'decompose', reason: 'r', children: ['c1'], sessionId: 'pl', needsApproval: false, depth: 1 })))).toEqual([]);
    expect(sent(at(P, TaskPlanReviewed({ taskId: 'g', accepted: true, reason: '', children: ['c1'], depth: 3 })))).toHaveLength(1);
    expect(sent(at(P, TaskPlanReviewed({ taskId: 'g', accepted: false, reason: '', children: ['c1'], depth: 3 })))).toEqual([]);
  });
});
