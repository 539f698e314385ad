import type { AttemptOutcome, BlockingDependency, TaskDetails, TaskGraphEvent } from '@baton/events';
import { CowMap, CowSet } from './copy-on-write';
import type { GraphNode } from './graph';

export interface TaskNode extends GraphNode, TaskDetails {
  /** Why it is blocked, as last recorded; null unless blocked. */
  blockedBy: BlockingDependency[] | null;
  attemptCount: number;
  activeAttemptId: string | null;
}

export interface AttemptNode {
  id: string;
  taskId: string;
  branch: string;
  baseBranch: string;
  active: boolean;
  inReview: boolean;
  outcome: AttemptOutcome | null;
}

/**
 * The project's task graph. Nodes are immutable values (replaced, never edited), but
 * the maps are updated in place by `evolveGraph`: copying a map of thousands of tasks
 * for every event would make loading a large project quadratic. `decide` never
 * mutates: it works on `overlayGraph(state)`, which copies nothing.
 *
 * `children` and `dependants` are indexes of `tasks`, kept by `evolveGraph` (so replay from
 * an empty state rebuilds them) and never edited in place either: a list or set is replaced
 * when it changes, so an overlay shares the state's until it writes its own.
 */
export interface GraphState {
  tasks: Map<string, TaskNode>;
  attempts: Map<string, AttemptNode>;
  /** Every branch name an attempt of this project used: names stay unique. */
  branches: Set<string>;
  lastNumber: number;
  /** Parent → its children, in task-number order (no entry: no children). */
  children: Map<string, readonly string[]>;
  /** Task → the tasks whose own `dependsOn` names it (no entry: none). */
  dependants: Map<string, ReadonlySet<string>>;
  /** Counts the events that changed what statuses are derived from (see `settled` in decision.ts). */
  revision: number;
}

export function initialGraph(): GraphState {
  return { tasks: new Map(), attempts: new Map(), branches: new Set(), lastNumber: 0, children: new Map(), dependants: new Map(), revision: 0 };
}

/** A full copy: the reference decision of the randomised spec works on one, as every decision once did. */
export function cloneGraph(state: GraphState): GraphState {
  return {
    tasks: new Map(state.tasks),
    attempts: new Map(state.attempts),
    branches: new Set(state.branches),
    lastNumber: state.lastNumber,
    children: new Map(state.children),
    dependants: new Map(state.dependants),
    revision: state.revision,
  };
}

/** A working copy that copies nothing: reads go through to `state`, writes stay in the overlay. */
export function overlayGraph(state: GraphState): GraphState {
  return {
    tasks: new CowMap(state.tasks),
    attempts: new CowMap(state.attempts),
    branches: new CowSet(state.branches),
    lastNumber: state.lastNumber,
    children: new CowMap(state.children),
    dependants: new CowMap(state.dependants),
    revision: state.revision,
  };
}

/** Rebuilds both indexes from `tasks` alone: what `evolveGraph` must keep them equal to. */
export function indexesOf(tasks: ReadonlyMap<string, GraphNode>): Pick<GraphState, 'children' | 'dependants'> {
  const children = new Map<string, string[]>();
  const dependants = new Map<string, Set<string>>();
  for (const node of tasks.values()) {
    if (node.parentId !== null) children.set(node.parentId, [...(children.get(node.parentId) ?? []), node.id]);
    for (const d of node.dependsOn) dependants.set(d.taskId, (dependants.get(d.taskId) ?? new Set()).add(node.id));
  }
  for (const list of children.values()) list.sort((a, b) => (tasks.get(a)?.number ?? 0) - (tasks.get(b)?.number ?? 0));
  return { children, dependants };
}

type Facts<E> = E extends { type: string; data: unknown } ? Pick<E, 'type' | 'data'> : never;
/** A graph event with or without its envelope: decide folds its own new events with the same function. */
export type GraphFact = Facts<TaskGraphEvent>;

export function evolveGraph(state: GraphState, event: GraphFact): GraphState {
  const { tasks, attempts } = state;
  const update = (id: string, patch: Partial<TaskNode>) => {
    const node = tasks.get(id);
    if (node) tasks.set(id, { ...node, ...patch });
  };
  const updateAttempt = (id: string, patch: Partial<AttemptNode>) => {
    const a = attempts.get(id);
    if (a) attempts.set(id, { ...a, ...patch });
  };
  switch (event.type) {
    case 'project.task_added': {
      const { taskId, number, ...rest } = event.data;
      const was = tasks.get(taskId);
      if (was) unlink(state, was);
      tasks.set(taskId, { ...rest, id: taskId, number, status: 'todo', blockedBy: null, attemptCount: 0, activeAttemptId: null });
      link(state, tasks.get(taskId)!);
      state.lastNumber = Math.max(state.lastNumber, number);
      state.revision++;
      return state;
    }
    case 'project.task_details_changed': {
      const { taskId, ...changes } = event.data;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      update(taskId, defined);
      return state;
    }
    case 'project.task_moved': {
      const node = tasks.get(event.data.taskId);
      if (node) {
        unlinkChild(state, node.parentId, node.id);
        update(node.id, { parentId: event.data.toParentId });
        linkChild(state, event.data.toParentId, node.id);
      }
      state.revision++;
      return state;
    }
    case 'project.task_dependency_added': {
      const { taskId, dependsOnTaskId, condition } = event.data;
      const node = tasks.get(taskId);
      if (node) {
        update(taskId, { dependsOn: [...node.dependsOn.filter((d) => d.taskId !== dependsOnTaskId), { taskId: dependsOnTaskId, condition }] });
        linkDependant(state, dependsOnTaskId, taskId);
      }
      state.revision++;
      return state;
    }
    case 'project.task_dependency_removed': {
      const node = tasks.get(event.data.taskId);
      if (node) {
        update(node.id, { dependsOn: node.dependsOn.filter((d) => d.taskId !== event.data.dependsOnTaskId) });
        unlinkDependant(state, event.data.dependsOnTaskId, node.id);
      }
      state.revision++;
      return state;
    }
    case 'project.task_status_changed':
      update(event.data.taskId, { status: event.data.to, blockedBy: null });
      state.revision++;
      return state;
    case 'project.task_blocked':
      update(event.data.taskId, { status: 'blocked', blockedBy: event.data.blockedBy });
      state.revision++;
      return state;
    case 'project.task_removed': {
      const node = tasks.get(event.data.taskId);
      if (node) unlink(state, node);
      tasks.delete(event.data.taskId);
      state.revision++;
      return state;
    }
    case 'project.task_attempt_started': {
      const { taskId, attemptId, branch, baseBranch, number } = event.data;
      attempts.set(attemptId, { id: attemptId, taskId, branch, baseBranch, active: true, inReview: false, outcome: null });
      state.branches.add(branch);
      update(taskId, { attemptCount: number, activeAttemptId: attemptId });
      return state;
    }
    case 'project.task_attempt_workspace_prepared':
      return state;
    case 'project.task_attempt_review_requested':
      updateAttempt(event.data.attemptId, { inReview: true });
      return state;
    case 'project.task_attempt_changes_requested':
      updateAttempt(event.data.attemptId, { inReview: false });
      return state;
    case 'project.task_attempt_finished': {
      updateAttempt(event.data.attemptId, { active: false, inReview: false, outcome: event.data.outcome });
      const node = tasks.get(event.data.taskId);
      if (node?.activeAttemptId === event.data.attemptId) update(node.id, { activeAttemptId: null });
      return state;
    }
    default: {
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

// The indexes' lists and sets are replaced, never edited: an overlay shares them with its state.

function link(state: GraphState, node: GraphNode): void {
  linkChild(state, node.parentId, node.id);
  for (const d of node.dependsOn) linkDependant(state, d.taskId, node.id);
}

function unlink(state: GraphState, node: GraphNode): void {
  unlinkChild(state, node.parentId, node.id);
  for (const d of node.dependsOn) unlinkDependant(state, d.taskId, node.id);
}

function linkChild(state: GraphState, parentId: string | null, id: string): void {
  if (parentId === null) return;
  const number = (x: string) => state.tasks.get(x)?.number ?? 0;
  const list = state.children.get(parentId) ?? [];
  const n = number(id);
  // A new task has the highest number: it goes last, found in one step.
  let at = list.length;
  while (at > 0 && number(list[at - 1]) > n) at--;
  state.children.set(parentId, [...list.slice(0, at), id, ...list.slice(at)]);
}

function unlinkChild(state: GraphState, parentId: string | null, id: string): void {
  if (parentId === null) return;
  const list = state.children.get(parentId);
  if (!list?.includes(id)) return;
  const rest = list.filter((c) => c !== id);
  if (rest.length) state.children.set(parentId, rest);
  else state.children.delete(parentId);
}

function linkDependant(state: GraphState, taskId: string, dependantId: string): void {
  const set = state.dependants.get(taskId);
  if (set?.has(dependantId)) return;
  state.dependants.set(taskId, new Set(set).add(dependantId));
}

function unlinkDependant(state: GraphState, taskId: string, dependantId: string): void {
  const set = state.dependants.get(taskId);
  if (!set?.has(dependantId)) return;
  const rest = new Set(set);
  rest.delete(dependantId);
  if (rest.size) state.dependants.set(taskId, rest);
  else state.dependants.delete(taskId);
}
