import type { AttemptOutcome, BlockingDependency, TaskDetails, TaskGraphEvent } from '@baton/events';
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
 * mutates: it works on `cloneGraph(state)`.
 */
export interface GraphState {
  tasks: Map<string, TaskNode>;
  attempts: Map<string, AttemptNode>;
  /** Every branch name an attempt of this project used: names stay unique. */
  branches: Set<string>;
  lastNumber: number;
}

export function initialGraph(): GraphState {
  return { tasks: new Map(), attempts: new Map(), branches: new Set(), lastNumber: 0 };
}

export function cloneGraph(state: GraphState): GraphState {
  return { tasks: new Map(state.tasks), attempts: new Map(state.attempts), branches: new Set(state.branches), lastNumber: state.lastNumber };
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
      tasks.set(taskId, { ...rest, id: taskId, number, status: 'todo', blockedBy: null, attemptCount: 0, activeAttemptId: null });
      state.lastNumber = Math.max(state.lastNumber, number);
      return state;
    }
    case 'project.task_details_changed': {
      const { taskId, ...changes } = event.data;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      update(taskId, defined);
      return state;
    }
    case 'project.task_moved':
      update(event.data.taskId, { parentId: event.data.toParentId });
      return state;
    case 'project.task_dependency_added': {
      const { taskId, dependsOnTaskId, condition } = event.data;
      const node = tasks.get(taskId);
      if (node) update(taskId, { dependsOn: [...node.dependsOn.filter((d) => d.taskId !== dependsOnTaskId), { taskId: dependsOnTaskId, condition }] });
      return state;
    }
    case 'project.task_dependency_removed': {
      const node = tasks.get(event.data.taskId);
      if (node) update(node.id, { dependsOn: node.dependsOn.filter((d) => d.taskId !== event.data.dependsOnTaskId) });
      return state;
    }
    case 'project.task_status_changed':
      update(event.data.taskId, { status: event.data.to, blockedBy: null });
      return state;
    case 'project.task_blocked':
      update(event.data.taskId, { status: 'blocked', blockedBy: event.data.blockedBy });
      return state;
    case 'project.task_removed':
      tasks.delete(event.data.taskId);
      return state;
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
