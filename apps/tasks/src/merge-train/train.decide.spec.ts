import { ConfigureMergeTrain } from '@baton/events';
import { create, history, stateAfter, statusChanges } from '../task-graph/__tests__/graph-fixtures';
import { projectAggregateDecider, type ProjectAggregateEvent } from '../task-graph/project-aggregate.decider';
import {
  activeAttempt,
  buildConflict,
  built,
  builtAll,
  checked,
  dispatch,
  ended,
  landed,
  merge,
  moved,
  on,
  p,
  review,
  step,
  stepsOf,
  story,
  train,
  types,
} from '../autopilot/__tests__/autopilot-fixtures';

/**
 * The merge train, decided on the project aggregate (docs/decisions/0030): order, batches,
 * bisecting a failed batch, fix rounds. Runners' answers are the commands `built`, `landed`…
 */
describe('merge train decisions', () => {
  /** n independent tasks, all dispatched, completed and asking to merge in order t1 … tn. */
  function completed(n: number, ...settings: Record<string, unknown>[]) {
    const ids = Array.from({ length: n }, (_, i) => `t${i + 1}`);
    let { events } = story(history(...ids.map((id) => create(id))), on(), ...settings.map((s) => train(s)), dispatch());
    const attempts = ids.map((id) => activeAttempt(events, id));
    for (const [i, id] of ids.entries()) events = story(events, review(id, attempts[i])).events;
    return { ids, attempts, events };
  }
  const mergeAll = (events: ProjectAggregateEvent[], ids: string[]) => {
    const decided = [];
    for (const id of ids) {
      const s = step(events, merge(id));
      events = s.events;
      decided.push(...s.decided);
    }
    return { events, decided };
  };
  const trainOf = (events: ProjectAggregateEvent[]) => stateAfter(events).autopilot.train.trains.get('main')!;
  const batchEvents = (decided: { type: string; data: unknown }[]) =>
    decided.filter((e) => e.type === 'project.merge_train_batch_started').map((e) => (e.data as { cars: { attemptId: string }[]; bisecting: boolean; batchId: string }));

  it('takes the waiting cars as one batch, in the order they joined, each built on the one before', () => {
    const { ids, attempts, events: start } = completed(4, { maxBatch: 3 });
    const first = step(start, merge('t1'));
    // The first car starts a batch of one at once: nobody else waits.
    expect(batchEvents(first.decided).map((b) => b.cars.map((c) => c.attemptId))).toEqual([[attempts[0]]]);
    let { events } = mergeAll(first.events, ids.slice(1));
    expect(trainOf(events).queue.map((c) => c.attemptId)).toEqual(attempts);

    const [b1] = batchEvents(first.decided);
    const done1 = story(events, built(b1.batchId, attempts[0], 'c1c1c1c', 'ba5e000', { outcome: 'landed', commit: 'c1c1c1c' }));
    // Landing one frees the train: the next three (maxBatch) go together, in one step that builds and lands them.
    const [b2] = batchEvents(done1.last);
    expect(b2.cars.map((c) => c.attemptId)).toEqual(attempts.slice(1));
    expect(stepsOf(done1.last)).toEqual([expect.objectContaining({ step: 'build', cars: b2.cars, onto: null, land: true })]);
    events = done1.events;
    // A runner that holds only the first of them answers for it: the rest are asked for next, on its result.
    const s2 = step(events, built(b2.batchId, attempts[1], 'c2c2c2c'));
    expect(stepsOf(s2.decided)).toEqual([expect.objectContaining({ step: 'build', cars: b2.cars.slice(1), onto: 'c2c2c2c', land: true })]);
    // An answer for a car out of turn, or a second answer for a built one, changes nothing.
    expect(step(s2.events, built(b2.batchId, attempts[3], 'ddddddd')).decided).toEqual([]);
    expect(step(s2.events, built(b2.batchId, attempts[1], 'c2c2c2c')).decided).toEqual([]);
    const all = step(
      s2.events,
      builtAll(
        b2.batchId,
        [
          { attemptId: attempts[2], outcome: 'built', commit: 'c3c3c3c', base: 'ba5e000' },
          { attemptId: attempts[3], outcome: 'built', commit: 'c4c4c4c', base: 'ba5e000' },
        ],
        { outcome: 'landed', commit: 'c4c4c4c' },
      ),
    );
    expect(statusChanges(all.decided)).toEqual({ t2: 'done', t3: 'done', t4: 'done' });
    expect(trainOf(all.events)).toMatchObject({ queue: [], batch: null });
  });

  it('runs the check on the batch result and lands only when it passed', () => {
    const { attempts, events: start } = completed(1, { checkCommand: 'npm test' });
    const j = step(start, merge('t1'));
    const [b] = batchEvents(j.decided);
    const builtOne = step(j.events, built(b.batchId, attempts[0], 'abc1234'));
    expect(types(builtOne.decided)).toEqual(['project.merge_train_car_built', 'project.merge_train_check_started']);
    const check = builtOne.decided[1].data as { sessionId: string; commit: string; command: string };
    expect(check).toMatchObject({ commit: 'abc1234', command: 'npm test' });
    expect(step(builtOne.events, checked(b.batchId, 'not-the-check', true)).decided).toEqual([]);
    const passed = step(builtOne.events, checked(b.batchId, check.sessionId, true));
    expect(stepsOf(passed.decided)).toEqual([expect.objectContaining({ step: 'land', commit: 'abc1234' })]);
  });

  it('bisects a batch whose check failed: halves in order, the good half lands, the culprit goes back to its agent', () => {
    const { ids, attempts, events: start } = completed(4, { checkCommand: 'npm test', maxBatch: 4 });
    // t1 first alone (the train was empty); it lands; then t2..t4 as one batch.
    const j = mergeAll(start, ids);
    const [b1] = batchEvents(j.decided);
    let r = story(j.events, built(b1.batchId, attempts[0], '1111111'));
    const ck1 = (r.last[1].data as { sessionId: string }).sessionId;
    r = story(r.events, checked(b1.batchId, ck1, true), landed(b1.batchId, '1111111'));
    const [b2] = batchEvents(r.last);
    expect(b2.cars.map((c) => c.attemptId)).toEqual(attempts.slice(1));
    r = story(r.events, built(b2.batchId, attempts[1], '2222222'), built(b2.batchId, attempts[2], '3333333'), built(b2.batchId, attempts[3], '4444444'));
    const ck2 = (r.last.find((e) => e.type === 'project.merge_train_check_started')!.data as { sessionId: string }).sessionId;

    // Three together fail: split into [t2, t3] and [t4]; [t2, t3] goes first, on the target's tip.
    const failed = step(r.events, checked(b2.batchId, ck2, false, 'exit 1'));
    expect(failed.decided[1]).toMatchObject({ type: 'project.merge_train_batch_ended', data: { outcome: 'split', groups: [[attempts[1], attempts[2]], [attempts[3]]] } });
    const [b3] = batchEvents(failed.decided);
    expect(b3).toMatchObject({ bisecting: true, cars: [expect.objectContaining({ attemptId: attempts[1] }), expect.objectContaining({ attemptId: attempts[2] })] });
    expect(stepsOf(failed.decided)[0]).toMatchObject({ step: 'build', onto: null });

    // [t2, t3] fails too: split into [t2] and [t3], ahead of [t4].
    r = story(failed.events, built(b3.batchId, attempts[1], '2222222'), built(b3.batchId, attempts[2], '3333333'));
    const ck3 = (r.last.find((e) => e.type === 'project.merge_train_check_started')!.data as { sessionId: string }).sessionId;
    const failed2 = step(r.events, checked(b3.batchId, ck3, false));
    expect(trainOf(failed2.events).groups).toEqual([[attempts[2]], [attempts[3]]]);
    const [b4] = batchEvents(failed2.decided);
    expect(b4.cars.map((c) => c.attemptId)).toEqual([attempts[1]]);

    // t2 alone passes and lands; t3 alone fails: it goes back to its agent with the check's session.
    r = story(failed2.events, built(b4.batchId, attempts[1], '2222222'));
    const ck4 = (r.last[1].data as { sessionId: string }).sessionId;
    r = story(r.events, checked(b4.batchId, ck4, true), landed(b4.batchId, '2222222'));
    expect(statusChanges(r.last)).toEqual({ t2: 'done' });
    const [b5] = batchEvents(r.last);
    r = story(r.events, built(b5.batchId, attempts[2], '3333333'));
    const ck5 = (r.last[1].data as { sessionId: string }).sessionId;
    const culprit = step(r.events, checked(b5.batchId, ck5, false, 'exit 1: 3 tests failed'));
    expect(culprit.decided.map((e) => e.type)).toEqual([
      'project.merge_train_check_finished',
      'project.merge_train_car_returned',
      'project.merge_train_batch_ended',
      'project.merge_train_batch_started',
      'project.merge_train_step_requested',
    ]);
    expect(culprit.decided[1].data).toMatchObject({ attemptId: attempts[2], why: 'check_failed', checkSessionId: ck5, round: 1, toPerson: false, message: expect.stringContaining('3 tests failed') });
    // [t4] is next, alone.
    expect(batchEvents(culprit.decided)[0].cars.map((c) => c.attemptId)).toEqual([attempts[3]]);
    expect(stateAfter(culprit.events).autopilot.train.returned.get(attempts[2])).toBe('main');
  });

  it('a conflict with the cars ahead in the batch defers the car to the next batch; the batch lands without it', () => {
    const { ids, attempts, events: start } = completed(4, { maxBatch: 3 });
    const j = mergeAll(start, ids);
    const [b1] = batchEvents(j.decided);
    const r = story(j.events, built(b1.batchId, attempts[0], '1111111', 'ba5e000', { outcome: 'landed', commit: '1111111' }));
    const [b2] = batchEvents(r.last);
    const s = step(
      r.events,
      builtAll(
        b2.batchId,
        [
          { attemptId: attempts[1], outcome: 'built', commit: '2222222', base: '1111111' },
          { attemptId: attempts[2], outcome: 'conflict', files: ['SHARED.md'], message: 'CONFLICT' },
          { attemptId: attempts[3], outcome: 'built', commit: '4444444', base: '1111111' },
        ],
        { outcome: 'landed', commit: '4444444' },
      ),
    );
    expect(types(s.decided).slice(0, 4)).toEqual(['project.merge_train_car_built', 'project.merge_train_car_deferred', 'project.merge_train_car_built', 'project.merge_train_batch_ended']);
    expect(s.decided[1].data).toMatchObject({ attemptId: attempts[2], files: ['SHARED.md'], reason: expect.stringContaining('ahead of it') });
    // t2 and t4 land; t3 is first of the next batch, built on the target as it is then.
    expect(statusChanges(s.decided)).toEqual({ t2: 'done', t4: 'done' });
    const [b3] = batchEvents(s.decided);
    expect(b3.cars.map((c) => c.attemptId)).toEqual([attempts[2]]);
    // There, on the target itself, the conflict is its own: back to its agent.
    const back = step(s.events, buildConflict(b3.batchId, attempts[2]));
    expect(back.decided[0].data).toMatchObject({ attemptId: attempts[2], why: 'conflict', files: ['SHARED.md'], round: 1, toPerson: false });
  });

  it('the target moved before the runner could land: the batch is built again', () => {
    const { attempts, events: start } = completed(1);
    const r = story(start, merge('t1'));
    const [b] = batchEvents(r.last);
    const s = step(r.events, builtAll(b.batchId, [{ attemptId: attempts[0], outcome: 'built', commit: '1111111', base: 'ba5e000' }], { outcome: 'moved', message: 'non-fast-forward' }));
    expect(types(s.decided)).toEqual(['project.merge_train_car_built', 'project.merge_train_batch_ended', 'project.merge_train_batch_started', 'project.merge_train_step_requested']);
    expect(s.decided[1].data).toMatchObject({ outcome: 'rebuild' });
  });

  it('gives the agent maxFixRounds, then asks a person; joining again after a fix keeps the count', () => {
    const { attempts, events: start } = completed(1, { maxFixRounds: 1 });
    const a = attempts[0];
    let r = story(start, merge('t1'));
    let [b] = batchEvents(r.last);
    r = story(r.events, buildConflict(b.batchId, a));
    expect(r.last[0].data).toMatchObject({ round: 1, toPerson: false });
    // The agent's follow-up session completes: the attempt joins again.
    r = story(r.events, ended('t1', a, 'completed', 's_fix1'));
    expect(types(r.last)[0]).toBe('project.merge_train_joined');
    [b] = batchEvents(r.last);
    r = story(r.events, buildConflict(b.batchId, a));
    expect(types(r.last)).toEqual(['project.merge_train_car_returned', 'project.autopilot_needs_input', 'project.autopilot_hold_changed', 'project.merge_train_batch_ended']);
    expect(r.last[0].data).toMatchObject({ round: 2, toPerson: true });
    expect(r.last[1].data).toMatchObject({ message: expect.stringContaining('after 1 fix round; at most 1') });
  });

  it('fixer "person" asks a person at once', () => {
    const { attempts, events: start } = completed(1, { fixer: 'person' });
    const r = story(start, merge('t1'));
    const [b] = batchEvents(r.last);
    const c = step(r.events, buildConflict(b.batchId, attempts[0]));
    expect(c.decided[0].data).toMatchObject({ round: 1, toPerson: true });
  });

  it('builds the same cars again when the target moved before landing', () => {
    const { attempts, events: start } = completed(1);
    let r = story(start, merge('t1'));
    const [b] = batchEvents(r.last);
    r = story(r.events, built(b.batchId, attempts[0], '1111111'), moved(b.batchId));
    expect(types(r.last)).toEqual(['project.merge_train_batch_ended', 'project.merge_train_batch_started', 'project.merge_train_step_requested']);
    expect(r.last[0].data).toMatchObject({ outcome: 'rebuild' });
    const [again] = batchEvents(r.last);
    expect(again.batchId).not.toBe(b.batchId);
    expect(stepsOf(r.last)[0]).toMatchObject({ step: 'build', onto: null });
  });

  it('a car whose attempt ended otherwise leaves before the next batch', () => {
    const { ids, attempts, events: start } = completed(2);
    let r = mergeAll(start, ids);
    const [b] = batchEvents(r.decided);
    // A person abandons t2's attempt while t1 is being built.
    r = { events: story(r.events, ended('t2', attempts[1], 'failed')).events, decided: [] };
    const s = story(r.events, built(b.batchId, attempts[0], '1111111'), landed(b.batchId, '1111111'));
    expect(types(s.last)).toContain('project.merge_train_car_left');
    expect(batchEvents(s.last)).toEqual([]);
  });

  it('a car whose attempt ended during its batch never lands with it: the batch is built again without it', () => {
    const { ids, attempts, events: start } = completed(3, { maxBatch: 2 });
    const j = mergeAll(start, ids);
    const [b1] = batchEvents(j.decided);
    let r = story(j.events, built(b1.batchId, attempts[0], '1111111'), landed(b1.batchId, '1111111'));
    const [b2] = batchEvents(r.last);
    expect(b2.cars.map((c) => c.attemptId)).toEqual([attempts[1], attempts[2]]);
    r = story(r.events, built(b2.batchId, attempts[1], '2222222'));
    // t3's attempt is abandoned (its session failed, no retries left for this attempt) before its build is answered.
    r = story(r.events, ended('t3', attempts[2], 'failed'));
    const s = step(r.events, built(b2.batchId, attempts[2], '3333333'));
    expect(types(s.decided)).toEqual(['project.merge_train_car_built', 'project.merge_train_batch_ended', 'project.merge_train_car_left', 'project.merge_train_batch_started', 'project.merge_train_step_requested']);
    expect(s.decided[1].data).toMatchObject({ outcome: 'rebuild', reason: expect.stringContaining(attempts[2]) });
    expect(batchEvents(s.decided)[0].cars.map((c) => c.attemptId)).toEqual([attempts[1]]);
  });

  it('is the same decision on a redelivery (batch and check ids derive from the command)', () => {
    const { attempts, events: start } = completed(1, { checkCommand: 'make check' });
    const c = merge('t1');
    const s = stateAfter(start);
    expect(projectAggregateDecider.decide(c, s)).toEqual(projectAggregateDecider.decide(c, s));
    expect(attempts).toHaveLength(1);
  });

  it('validates its settings', () => {
    expect(() => ConfigureMergeTrain.schema.parse({ ...p })).toThrow(/at least one setting/);
    expect(() => ConfigureMergeTrain.schema.parse({ ...p, maxBatch: 0 })).toThrow(/1 to 32/);
    expect(() => ConfigureMergeTrain.schema.parse({ ...p, checkCommand: '  ' })).toThrow(/must not be empty/);
    expect(() => ConfigureMergeTrain.schema.parse({ ...p, integration: 'octopus' })).toThrow();
    expect(ConfigureMergeTrain.schema.parse({ ...p, checkCommand: null })).toEqual({ ...p, checkCommand: null });
  });
});
