import {
  DomainError,
  EditTask,
  RemoveTask,
  RequestAttemptChanges,
  RequestAttemptReview,
  TaskAdded,
  TaskStatusChanged,
  type DependencyCondition,
  type NewEvent,
} from '@baton/events';
import { recorded } from '@baton/testing';
import { withFullDerivation } from './decision';
import {
  P,
  cancel,
  cmd,
  complete,
  create,
  depend,
  fail,
  finish,
  move,
  projectCreated,
  reopen,
  start,
  undepend,
} from './__tests__/graph-fixtures';
import { projectAggregateDecider, type ProjectAggregateCommand, type ProjectAggregateEvent, type ProjectAggregateState } from './project-aggregate.decider';
import { indexesOf } from './task-graph.state';

type Deps = (string | [string, DependencyCondition])[];
type Outcome = { events: NewEvent[] } | { error: { code: string; message: string; details: unknown } };

function decide(c: ProjectAggregateCommand, state: ProjectAggregateState): Outcome {
  try {
    return { events: projectAggregateDecider.decide(c, state) };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { error: { code: e.code, message: e.message, details: e.details } };
  }
}

const fold = (state: ProjectAggregateState, events: NewEvent[]) =>
  events.reduce((s, e) => projectAggregateDecider.evolve(s, recorded(P, e) as ProjectAggregateEvent), state);

/** A seeded generator of commands on a project of up to `size` tasks, most of them valid. */
function commands(seed: number, size: number) {
  let x = seed;
  const rand = (k: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor(x / 2 ** 16) % k;
  };
  const conditions: DependencyCondition[] = ['success', 'success', 'failure', 'any'];
  let created = 0;
  let attempts = 0;
  return (state: ProjectAggregateState): ProjectAggregateCommand => {
    const ids = [...state.graph.tasks.keys()];
    const any = () => (ids.length && rand(12) ? ids[rand(ids.length)] : `t${rand(size)}`);
    const deps = (): Deps => Array.from({ length: rand(3) === 0 ? rand(3) : 0 }, () => [any(), conditions[rand(4)]]);
    const active = [...state.graph.attempts.values()].filter((a) => a.active);
    const attempt = () => (active.length && rand(6) ? active[rand(active.length)] : { taskId: any(), id: `att${rand(attempts + 1)}` });
    switch (rand(created < size ? 16 : 14)) {
      case 0:
        return depend(any(), any(), conditions[rand(4)]);
      case 1:
        return undepend(any(), any());
      case 2:
        return move(any(), rand(3) ? any() : null);
      case 3:
      case 4:
        return complete(any());
      case 5:
        return fail(any());
      case 6:
        return cancel(any());
      case 7:
        return reopen(any());
      case 8:
        return start(any(), `att${++attempts}`, { supersede: rand(2) === 0, ignoreDependencies: rand(3) === 0 });
      case 9: {
        const a = attempt();
        return finish(a.taskId, a.id, (['merged', 'abandoned', 'superseded'] as const)[rand(3)]);
      }
      case 10: {
        const a = attempt();
        return rand(2)
          ? cmd(RequestAttemptReview, { projectId: 'p1', taskId: a.taskId, attemptId: a.id })
          : cmd(RequestAttemptChanges, { projectId: 'p1', taskId: a.taskId, attemptId: a.id });
      }
      case 11:
        return cmd(EditTask, { projectId: 'p1', taskId: any(), title: `Title ${rand(4)}` });
      case 12:
        return rand(4) ? depend(any(), any(), conditions[rand(4)]) : cmd(RemoveTask, { projectId: 'p1', taskId: any() });
      case 13:
        return rand(2) ? complete(any()) : move(any(), any());
      default: {
        const id = `t${created++}`;
        return create(id, { parent: ids.length && rand(2) ? any() : undefined, dependsOn: deps() });
      }
    }
  };
}

describe('Decision (incremental derivation)', () => {
  it('decides random command sequences exactly as the full derivation does', () => {
    let events = 0;
    let rejected = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const next = commands(seed, 12 + (seed % 4) * 8);
      const start = fold(projectAggregateDecider.initialState(), [projectCreated()]);
      let reference = start;
      let sut = fold(projectAggregateDecider.initialState(), [projectCreated()]);
      const log: NewEvent[] = [projectCreated()];
      for (let step = 0; step < 250; step++) {
        const c = next(reference);
        const want = withFullDerivation(() => decide(c, reference));
        const got = decide(c, sut);
        try {
          expect(got).toEqual(want);
        } catch (e) {
          throw new Error(`seed ${seed}, step ${step}, ${c.type} ${JSON.stringify(c.data)}: ${(e as Error).message}`);
        }
        if ('error' in want) {
          rejected++;
          continue;
        }
        events += want.events.length;
        log.push(...want.events);
        reference = fold(reference, want.events);
        sut = fold(sut, want.events);
        // The indexes are kept by evolve: always what the tasks say, and the same after a replay.
        expect(sut.graph.children).toEqual(indexesOf(sut.graph.tasks).children);
        expect(sut.graph.dependants).toEqual(indexesOf(sut.graph.tasks).dependants);
        // Now and then a fresh replay: a state the decision has not seen is checked in full first.
        if (step % 50 === 49) sut = fold(projectAggregateDecider.initialState(), log);
      }
    }
    expect(events).toBeGreaterThan(3_000);
    expect(rejected).toBeGreaterThan(500);
  });

  it('settles a state recorded by older rules as the full derivation does: every stale status, not only the changed ones', () => {
    // `b` waits on a done `a` but was recorded `todo` (no such rule once); a change elsewhere corrects it too.
    const stale = [
      projectCreated(),
      TaskAdded({ taskId: 'a', number: 1, parentId: null, dependsOn: [], title: 'A', description: '', acceptanceCriteria: [], priority: 3, labels: [], executionMode: 'autonomous' }),
      TaskStatusChanged({ taskId: 'a', from: 'todo', to: 'done', cause: 'marked_done' }),
      TaskAdded({
        taskId: 'b',
        number: 2,
        parentId: null,
        dependsOn: [{ taskId: 'a', condition: 'success' }],
        title: 'B',
        description: '',
        acceptanceCriteria: [],
        priority: 3,
        labels: [],
        executionMode: 'autonomous',
      }),
    ];
    const state = fold(projectAggregateDecider.initialState(), stale);
    const c = create('c');
    const want = withFullDerivation(() => decide(c, state));
    expect(want).toEqual({ events: expect.arrayContaining([expect.objectContaining({ type: 'project.task_status_changed', data: expect.objectContaining({ taskId: 'b', to: 'ready' }) })]) });
    expect(decide(c, state)).toEqual(want);
    const after = fold(state, 'events' in want ? want.events : []);
    expect(decide(create('d'), after)).toEqual(withFullDerivation(() => decide(create('d'), after)));
  });

  it('reads a replayed state with the indexes evolve builds from an empty one', () => {
    const next = commands(7, 30);
    let state = fold(projectAggregateDecider.initialState(), [projectCreated()]);
    const log: NewEvent[] = [projectCreated()];
    for (let i = 0; i < 400; i++) {
      const out = decide(next(state), state);
      if ('events' in out) {
        log.push(...out.events);
        state = fold(state, out.events);
      }
    }
    const replayed = fold(projectAggregateDecider.initialState(), log);
    expect(replayed.graph.children).toEqual(state.graph.children);
    expect(replayed.graph.dependants).toEqual(state.graph.dependants);
    expect(replayed.graph.revision).toBe(state.graph.revision);
    expect([...replayed.graph.tasks]).toEqual([...state.graph.tasks]);
  });
});
