import { ConfigureAutopilot, DecomposeTask, PauseAutopilot, RecordPlannerEnd, RecordTaskPlan, ResumeAutopilot, ReviewTaskPlan } from '@baton/events';
import { cmd, create, history, stateAfter, statusChanges, statusOf } from '../task-graph/__tests__/graph-fixtures';
import { projectAggregateDecider } from '../task-graph/project-aggregate.decider';
import { derivedAttemptId } from './autopilot.decide';
import { p, on, dispatch, ended, review, merge, merged, step, story, types, activeAttempt, stepsOf, built, buildConflict, landed, train } from './__tests__/autopilot-fixtures';

describe('autopilot decisions (on the project aggregate)', () => {
  // a → b, a → c, (b, c) → d: a diamond.
  const diamond = () => history(create('a'), create('b', { dependsOn: ['a'] }), create('c', { dependsOn: ['a'] }), create('d', { dependsOn: ['b', 'c'] }));

  it('starts nothing while it is off, paused, or for tasks that are not ready', () => {
    expect(story(diamond(), dispatch()).last).toEqual([]);
    expect(story(diamond(), on(), cmd(PauseAutopilot, { ...p, reason: 'lunch' }), dispatch()).last).toEqual([]);
    const { last } = story(diamond(), on(), dispatch(['b', 'd']));
    expect(last).toEqual([]);
  });

  it('dispatches every ready leaf: an attempt with the configured template, the task in progress, in one decision', () => {
    const c = dispatch();
    const { last } = story(diamond(), on({ sessionTemplateId: 'baton-demo-agent' }), c);
    const attemptId = derivedAttemptId(c.id, 'a');
    expect(types(last)).toEqual(['project.autopilot_task_dispatched', 'project.task_attempt_started', 'project.task_status_changed']);
    expect(last[0].data).toEqual({ taskId: 'a', attemptId, number: 1, sessionTemplateId: 'baton-demo-agent', reason: 'ready' });
    expect(last[1].data).toMatchObject({ taskId: 'a', attemptId, baseBranch: 'main', sessionTemplateId: 'baton-demo-agent' });
    expect(statusChanges(last)).toEqual({ a: 'in_progress' });
  });

  it('derives the attempt id from the command: a redelivered dispatch decides the same attempt', () => {
    const c = dispatch();
    const s = stateAfter(story(diamond(), on()).events);
    expect(projectAggregateDecider.decide(c, s)).toEqual(projectAggregateDecider.decide(c, s));
    expect(derivedAttemptId('x', 'a')).not.toEqual(derivedAttemptId('x', 'b'));
    expect(derivedAttemptId('x', 'a')).toMatch(/^[A-Za-z0-9_-]{1,55}$/);
  });

  it('retries a failed attempt as a NEW attempt, then fails the task after maxAttempts and blocks exactly its dependants', () => {
    let { events } = story(diamond(), on({ maxAttempts: 2 }), dispatch());
    const first = activeAttempt(events, 'a');
    const afterFailure = step(events, ended('a', first, 'failed'));
    expect(types(afterFailure.decided)).toEqual(['project.autopilot_attempt_failed', 'project.task_attempt_finished', 'project.task_status_changed']);
    expect(afterFailure.decided[1].data).toMatchObject({ outcome: 'abandoned' });
    // Back to ready: that readiness is what the reactor dispatches again.
    expect(statusChanges(afterFailure.decided)).toEqual({ a: 'ready' });
    events = story(afterFailure.events, dispatch(['a'])).events;
    const second = activeAttempt(events, 'a');
    expect(second).not.toEqual(first);
    expect(stateAfter(events).graph.tasks.get('a')!.attemptCount).toBe(2);

    const gaveUp = step(events, ended('a', second, 'failed'));
    expect(types(gaveUp.decided)).toContain('project.autopilot_task_given_up');
    // b and c can never run; d waits on them (blocked tasks may still be unblocked by a person).
    expect(statusChanges(gaveUp.decided)).toEqual({ a: 'failed', b: 'blocked', c: 'blocked' });
    expect(step(gaveUp.events, dispatch()).decided).toEqual([]);
  });

  it('ignores ends of attempts it did not start, of finished attempts, and stops by a person', () => {
    const { events } = story(diamond(), on(), dispatch());
    const a = activeAttempt(events, 'a');
    expect(step(events, ended('a', a, 'stopped')).decided).toEqual([]);
    expect(step(events, ended('a', 'someone-elses', 'failed')).decided).toEqual([]);
    expect(step(events, ended('a', a, 'completed')).decided).toEqual([]);
  });

  it('merges a reviewed attempt through the train, and landing marks the task done so its dependants become ready', () => {
    let { events } = story(diamond(), on(), dispatch());
    const a = activeAttempt(events, 'a');
    events = story(events, review('a', a)).events;
    const joined = step(events, merge('a'));
    expect(types(joined.decided)).toEqual(['project.merge_train_joined', 'project.merge_train_batch_started', 'project.merge_train_step_requested']);
    expect(joined.decided[0].data).toEqual({ taskId: 'a', attemptId: a, branch: expect.stringMatching(/^baton\/task-a-/), target: 'main', reason: 'merge requested' });
    const [build] = stepsOf(joined.decided);
    // No check configured: one step builds the car on main's tip and lands it.
    expect(build).toMatchObject({ step: 'build', cars: [{ attemptId: a }], onto: null, land: true });
    expect(step(joined.events, merge('a')).decided).toEqual([]);
    const done = step(joined.events, built(build.batchId, a, 'c0ffee1', 'ba5e000', { outcome: 'landed', commit: 'c0ffee1' }));
    expect(types(done.decided).slice(0, 4)).toEqual(['project.merge_train_car_built', 'project.merge_train_batch_ended', 'project.autopilot_merged', 'project.task_attempt_finished']);
    expect(statusChanges(done.decided)).toEqual({ a: 'done', b: 'ready', c: 'ready' });
    expect(step(done.events, built(build.batchId, a, 'c0ffee1', 'ba5e000', { outcome: 'landed', commit: 'c0ffee1' })).decided).toEqual([]);
  });

  it('still answers a merge requested before the train (an old log): recorded merged, the task is done', () => {
    let { events } = story(diamond(), on(), dispatch());
    const a = activeAttempt(events, 'a');
    events = story(events, review('a', a)).events;
    const done = step(events, merged('a', a));
    expect(types(done.decided).slice(0, 2)).toEqual(['project.autopilot_merged', 'project.task_attempt_finished']);
    expect(statusChanges(done.decided)).toEqual({ a: 'done', b: 'ready', c: 'ready' });
  });

  it('refuses to merge an attempt whose session has not completed', () => {
    const { events } = story(diamond(), on(), dispatch());
    expect(() => step(events, merge('a'))).toThrow(/not in review/);
  });

  it('asks a person when the agent has no fix rounds left: needs-input, the subtree held until the attempt lands', () => {
    const base = history(create('goal'), create('x', { parent: 'goal' }), create('y', { parent: 'goal' }), create('z', { parent: 'goal', dependsOn: ['x'] }));
    let { events } = story(base, on(), train({ maxFixRounds: 0 }), dispatch());
    const x = activeAttempt(events, 'x');
    const y = activeAttempt(events, 'y');
    const joined = story(events, review('x', x), merge('x'));
    const [build] = stepsOf(joined.last);
    const conflict = step(joined.events, buildConflict(build.batchId, x));
    expect(types(conflict.decided)).toEqual(['project.merge_train_car_returned', 'project.autopilot_needs_input', 'project.autopilot_hold_changed', 'project.merge_train_batch_ended']);
    expect(conflict.decided[0].data).toMatchObject({ attemptId: x, why: 'conflict', files: ['SHARED.md'], round: 1, toPerson: true });
    expect(conflict.decided[1].data).toMatchObject({ taskId: 'x', attemptId: x, heldTaskId: 'goal', files: ['SHARED.md'] });
    expect(conflict.decided[2].data).toMatchObject({ taskId: 'goal', hold: 'merge_conflict' });
    events = conflict.events;

    // Held: y's retry is not dispatched while the conflict stands.
    events = story(events, ended('y', y, 'failed')).events;
    expect(statusOf(events, 'y')).toBe('ready');
    expect(step(events, dispatch()).decided).toEqual([]);

    // A follow-up session in x's attempt (a person's) resolves it and completes: it joins the train again.
    const again = step(events, ended('x', x, 'completed', 's_fix'));
    expect(types(again.decided)).toEqual(['project.merge_train_joined', 'project.merge_train_batch_started', 'project.merge_train_step_requested']);
    const [rebuild] = stepsOf(again.decided);
    const ok = story(again.events, built(rebuild.batchId, x, 'f00d123'), landed(rebuild.batchId, 'f00d123'));
    expect(types(ok.last)).toEqual(expect.arrayContaining(['project.autopilot_merged', 'project.autopilot_hold_changed']));
    expect(statusChanges(ok.last)).toMatchObject({ x: 'done', z: 'ready' });
    expect(types(step(ok.events, dispatch()).decided).filter((t) => t === 'project.autopilot_task_dispatched')).toHaveLength(2);
  });

  it('stop-all pauses and abandons every active attempt it started; resume dispatches again', () => {
    let { events } = story(history(create('a'), create('b')), on(), dispatch());
    const stop = step(events, cmd(PauseAutopilot, { ...p, reason: 'budget', stopAll: true }));
    expect(types(stop.decided).filter((t) => t === 'project.task_attempt_finished')).toHaveLength(2);
    expect(statusChanges(stop.decided)).toEqual({ a: 'ready', b: 'ready' });
    events = stop.events;
    expect(step(events, dispatch()).decided).toEqual([]);
    const resumed = step(events, cmd(ResumeAutopilot, p));
    expect(types(resumed.decided)).toEqual(['project.autopilot_resumed']);
    expect(types(step(resumed.events, dispatch()).decided).filter((t) => t === 'project.autopilot_task_dispatched')).toHaveLength(2);
  });

  describe('decompose', () => {
    const decompose = (taskId: string, depth: number | null = null, sessionId = `plan_${taskId}`) => cmd(DecomposeTask, { ...p, taskId, sessionId, depth });
    const plan = (taskId: string, decision: 'execute' | 'decompose', sessionId: string | null = `plan_${taskId}`) =>
      cmd(RecordTaskPlan, { ...p, taskId, decision, reason: `because ${decision}`, sessionId });

    it('holds the task while a planner works it, and records its decision with the reason', () => {
      const planning = story(history(create('goal')), on({ decomposeDepth: 2 }), decompose('goal'));
      let events = planning.events;
      expect(planning.last.map((e) => [e.type, e.data])).toEqual([
        ['project.task_planning_started', { taskId: 'goal', sessionId: 'plan_goal', plannerTemplateId: 'baton-demo-agent', depth: 2 }],
        ['project.autopilot_hold_changed', { taskId: 'goal', hold: 'planning', reason: expect.any(String) }],
      ]);
      expect(step(events, dispatch()).decided).toEqual([]);
      expect(() => step(events, decompose('goal', null, 'other'))).toThrow(/already being planned/);
      expect(() => step(events, plan('goal', 'decompose'))).toThrow(/no subtasks/);
      events = story(events, cmd(ConfigureAutopilot, { ...p, onSuccess: 'review' })).events;
      const executed = step(events, plan('goal', 'execute'));
      expect(executed.decided.map((e) => e.type)).toEqual(['project.task_planned', 'project.autopilot_hold_changed']);
      expect(executed.decided[0].data).toMatchObject({ decision: 'execute', reason: 'because execute', children: [], needsApproval: false, depth: 2 });
      expect(types(step(executed.events, dispatch()).decided)).toContain('project.autopilot_task_dispatched');
    });

    it('autonomous tasks run their plan at once; interactive ones wait for a person, who may reject the subtree', () => {
      const interactive = story(history(create('goal')), on(), decompose('goal'), create('s1', { parent: 'goal' }), create('s2', { parent: 'goal', dependsOn: ['s1'] }));
      const planned = step(interactive.events, plan('goal', 'decompose'));
      expect(planned.decided[0].data).toMatchObject({ decision: 'decompose', children: ['s1', 's2'], needsApproval: true });
      expect(planned.decided[1].data).toMatchObject({ hold: 'plan_review' });
      expect(step(planned.events, dispatch()).decided).toEqual([]);

      const rejected = step(planned.events, cmd(ReviewTaskPlan, { ...p, taskId: 'goal', accept: false, reason: 'too coarse' }));
      expect(types(rejected.decided).filter((t) => t === 'project.task_removed')).toHaveLength(2);
      expect(stateAfter(rejected.events).graph.tasks.has('s1')).toBe(false);
      expect(statusOf(rejected.events, 'goal')).toBe('ready');

      const accepted = step(planned.events, cmd(ReviewTaskPlan, { ...p, taskId: 'goal', accept: true }));
      expect(accepted.decided[0].data).toMatchObject({ accepted: true, children: ['s1', 's2'] });
      const run = step(accepted.events, dispatch()).decided.filter((e) => e.type === 'project.autopilot_task_dispatched');
      expect(run.map((e) => (e.data as { taskId: string }).taskId)).toEqual(['s1']);
    });

    it('a planner that ends without a decision releases a leaf, and holds what it created for a person', () => {
      const leaf = story(history(create('goal')), on(), decompose('goal'), cmd(RecordPlannerEnd, { ...p, taskId: 'goal', sessionId: 'plan_goal', status: 'failed' }));
      expect(leaf.last.map((e) => e.type)).toEqual(['project.task_planned', 'project.autopilot_hold_changed']);
      expect(leaf.last[1].data).toMatchObject({ hold: null });
      const withChildren = story(history(create('goal')), on(), decompose('goal'), create('s1', { parent: 'goal' }), cmd(RecordPlannerEnd, { ...p, taskId: 'goal', sessionId: 'plan_goal', status: 'completed' }));
      expect(withChildren.last[1].data).toMatchObject({ hold: 'plan_review' });
      expect(story(leaf.events, cmd(RecordPlannerEnd, { ...p, taskId: 'goal', sessionId: 'plan_goal', status: 'failed' })).last).toEqual([]);
    });

    it('refuses to plan what is running, finished or already split', () => {
      const running = story(history(create('a')), on(), dispatch());
      expect(() => step(running.events, decompose('a'))).toThrow(/active attempt/);
      expect(() => step(history(create('g'), create('s', { parent: 'g' })), decompose('g'))).toThrow(/already has subtasks/);
    });
  });

  it('keeps settings across configure commands and says nothing when nothing changes', () => {
    const { events } = story(history(), on({ maxAttempts: 4 }));
    expect(stateAfter(events).autopilot.settings).toMatchObject({ enabled: true, maxAttempts: 4, onSuccess: 'merge' });
    expect(step(events, on({ maxAttempts: 4 })).decided).toEqual([]);
    expect(() => ConfigureAutopilot.schema.parse({ ...p })).toThrow(/at least one setting/);
    expect(() => ConfigureAutopilot.schema.parse({ ...p, maxAttempts: 0 })).toThrow(/1 to 10/);
  });
});
