import { DEFAULT_AUTOPILOT_SETTINGS, type AutopilotEvent, type AutopilotSettings, type HoldReason } from '@baton/events';
import { cloneTrains, evolveTrains, initialTrains, type TrainsState } from '../merge-train/train.state';

export interface PlanningNode {
  sessionId: string;
  depth: number;
}

/**
 * What the autopilot knows about a project, folded from its `project.autopilot_*` and
 * planning events. Like the graph, maps are updated in place by `evolveAutopilot`;
 * `decideAutopilot` works on `cloneAutopilot(state)`.
 */
export interface AutopilotState {
  settings: AutopilotSettings;
  paused: boolean;
  /** Attempts the autopilot started → their task. */
  dispatched: Map<string, string>;
  /** Failed attempts per task (a retry is a new attempt; `maxAttempts` failures fail the task). */
  failures: Map<string, number>;
  gaveUp: Set<string>;
  /** Subtrees held back, by their root task. */
  holds: Map<string, HoldReason>;
  planning: Map<string, PlanningNode>;
  /** Depth of an accepted or pending plan, for the recursion into its children. */
  planDepth: Map<string, number>;
  /** Attempts whose merge was requested and not yet recorded. */
  merging: Set<string>;
  /** Attempts whose merge conflicted → the task whose subtree waits for them. */
  conflicts: Map<string, string>;
  /** The merge trains, one per target branch (docs/decisions/0030). */
  train: TrainsState;
}

export function initialAutopilot(): AutopilotState {
  return {
    settings: { ...DEFAULT_AUTOPILOT_SETTINGS },
    paused: false,
    dispatched: new Map(),
    failures: new Map(),
    gaveUp: new Set(),
    holds: new Map(),
    planning: new Map(),
    planDepth: new Map(),
    merging: new Set(),
    conflicts: new Map(),
    train: initialTrains(),
  };
}

export function cloneAutopilot(s: AutopilotState): AutopilotState {
  return {
    settings: { ...s.settings },
    paused: s.paused,
    dispatched: new Map(s.dispatched),
    failures: new Map(s.failures),
    gaveUp: new Set(s.gaveUp),
    holds: new Map(s.holds),
    planning: new Map(s.planning),
    planDepth: new Map(s.planDepth),
    merging: new Set(s.merging),
    conflicts: new Map(s.conflicts),
    train: cloneTrains(s.train),
  };
}

type Facts<E> = E extends { type: string; data: unknown } ? Pick<E, 'type' | 'data'> : never;
export type AutopilotFact = Facts<AutopilotEvent>;

export function evolveAutopilot(state: AutopilotState, event: AutopilotFact): AutopilotState {
  switch (event.type) {
    case 'project.autopilot_configured':
      state.settings = { ...event.data };
      return state;
    case 'project.autopilot_paused':
      state.paused = true;
      return state;
    case 'project.autopilot_resumed':
      state.paused = false;
      return state;
    case 'project.autopilot_task_dispatched':
      state.dispatched.set(event.data.attemptId, event.data.taskId);
      return state;
    case 'project.autopilot_attempt_failed':
      state.failures.set(event.data.taskId, event.data.failures);
      return state;
    case 'project.autopilot_task_given_up':
      state.gaveUp.add(event.data.taskId);
      return state;
    case 'project.autopilot_merge_requested':
      state.merging.add(event.data.attemptId);
      return state;
    case 'project.autopilot_merged':
      state.merging.delete(event.data.attemptId);
      state.conflicts.delete(event.data.attemptId);
      return state;
    case 'project.autopilot_needs_input':
      state.merging.delete(event.data.attemptId);
      state.conflicts.set(event.data.attemptId, event.data.heldTaskId);
      return state;
    case 'project.autopilot_hold_changed':
      if (event.data.hold) state.holds.set(event.data.taskId, event.data.hold);
      else state.holds.delete(event.data.taskId);
      return state;
    case 'project.task_planning_started':
      state.planning.set(event.data.taskId, { sessionId: event.data.sessionId, depth: event.data.depth });
      return state;
    case 'project.task_planned':
      state.planning.delete(event.data.taskId);
      state.planDepth.set(event.data.taskId, event.data.depth);
      return state;
    case 'project.task_plan_reviewed':
      return state;
    case 'project.merge_train_configured':
    case 'project.merge_train_joined':
    case 'project.merge_train_batch_started':
    case 'project.merge_train_step_requested':
    case 'project.merge_train_car_built':
    case 'project.merge_train_check_started':
    case 'project.merge_train_check_finished':
    case 'project.merge_train_car_returned':
    case 'project.merge_train_car_deferred':
    case 'project.merge_train_car_left':
    case 'project.merge_train_batch_ended':
      evolveTrains(state.train, event);
      return state;
    default: {
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}
