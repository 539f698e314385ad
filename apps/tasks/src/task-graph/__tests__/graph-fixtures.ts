import {
  AddTaskDependency,
  CancelTask,
  CompleteTask,
  CreateTask,
  FailTask,
  FinishAttempt,
  MoveTask,
  ProjectCreated,
  RemoveTaskDependency,
  ReopenTask,
  StartAttempt,
  type CommandDefinition,
  type DependencyCondition,
  type DomainEvent,
  type NewEvent,
  type RecordedEvent,
} from '@baton/events';
import { command, recorded } from '@baton/testing';
import type { z } from 'zod';
import {
  projectAggregateDecider,
  type ProjectAggregateCommand,
  type ProjectAggregateEvent,
  type ProjectAggregateState,
} from '../project-aggregate.decider';

export const P = { type: 'project' as const, id: 'p1' };
export const projectCreated = () =>
  recorded(P, ProjectCreated({ name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: null, env: {} }));

/** A command as the gateway would send it: data parsed by its schema (defaults applied, unknown fields refused). */
export function cmd<S extends z.ZodType>(def: CommandDefinition<string, S>, data: z.input<S>, opts: { issuedAt?: string } = {}): ProjectAggregateCommand {
  return command(def.type, def.schema.parse(data), opts) as ProjectAggregateCommand;
}

type Deps = (string | [string, DependencyCondition])[];
const deps = (ds: Deps = []) => ds.map((d) => (typeof d === 'string' ? { taskId: d, condition: 'success' as const } : { taskId: d[0], condition: d[1] }));

export const create = (taskId: string, o: { parent?: string; dependsOn?: Deps; title?: string } = {}) =>
  cmd(CreateTask, { projectId: 'p1', taskId, parentId: o.parent ?? null, title: o.title ?? `Task ${taskId}`, dependsOn: deps(o.dependsOn) });
export const depend = (taskId: string, on: string, condition: DependencyCondition = 'success') =>
  cmd(AddTaskDependency, { projectId: 'p1', taskId, dependsOnTaskId: on, condition });
export const undepend = (taskId: string, on: string) => cmd(RemoveTaskDependency, { projectId: 'p1', taskId, dependsOnTaskId: on });
export const move = (taskId: string, parentId: string | null) => cmd(MoveTask, { projectId: 'p1', taskId, parentId });
export const complete = (taskId: string) => cmd(CompleteTask, { projectId: 'p1', taskId });
export const fail = (taskId: string, reason = 'tests are red') => cmd(FailTask, { projectId: 'p1', taskId, reason });
export const cancel = (taskId: string) => cmd(CancelTask, { projectId: 'p1', taskId });
export const reopen = (taskId: string) => cmd(ReopenTask, { projectId: 'p1', taskId });
export const start = (taskId: string, attemptId = `att_${taskId}`, o: { supersede?: boolean; ignoreDependencies?: boolean; baseBranch?: string } = {}) =>
  cmd(StartAttempt, { projectId: 'p1', taskId, attemptId, ...o });
export const finish = (taskId: string, attemptId = `att_${taskId}`, outcome: 'merged' | 'abandoned' | 'superseded' = 'merged') =>
  cmd(FinishAttempt, { projectId: 'p1', taskId, attemptId, outcome });

/** Runs commands through the decider, recording what they decide: a `given` that reads as the story it is. */
export function history(...commands: ProjectAggregateCommand[]): ProjectAggregateEvent[] {
  const events: ProjectAggregateEvent[] = [projectCreated() as ProjectAggregateEvent];
  let state = events.reduce(projectAggregateDecider.evolve, projectAggregateDecider.initialState());
  for (const c of commands) {
    for (const e of projectAggregateDecider.decide(c, state)) {
      const r = recorded(P, e, c.issuedAt) as ProjectAggregateEvent;
      events.push(r);
      state = projectAggregateDecider.evolve(state, r);
    }
  }
  return events;
}

export function stateAfter(events: ProjectAggregateEvent[]): ProjectAggregateState {
  return events.reduce(projectAggregateDecider.evolve, projectAggregateDecider.initialState());
}

export function statusOf(events: ProjectAggregateEvent[], taskId: string) {
  return stateAfter(events).graph.tasks.get(taskId)?.status;
}

/** `taskId → to` for every status event in a decision (blocked included). */
export function statusChanges(events: NewEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) {
    const d = e.data as { taskId: string; to?: string };
    if (e.type === 'project.task_status_changed') out[d.taskId] = d.to!;
    if (e.type === 'project.task_blocked') out[d.taskId] = 'blocked';
  }
  return out;
}

/** The same command issued at another time (the decider's only clock). */
export const at = <C extends ProjectAggregateCommand>(issuedAt: string, c: C): C => ({ ...c, issuedAt });

/** Events as a projection receives them: with stream positions from `firstSeq`. */
export function positioned<E extends { type: string }>(events: E[], firstSeq = 1): RecordedEvent<DomainEvent>[] {
  return events.map((e, i) => ({ ...e, position: { seq: firstSeq + i } }) as unknown as RecordedEvent<DomainEvent>);
}
