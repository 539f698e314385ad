import { createHash } from 'node:crypto';
import {
  AutopilotAttemptFailed,
  AutopilotConfigured,
  AutopilotHoldChanged,
  AutopilotMerged,
  AutopilotNeedsInput,
  AutopilotPaused,
  AutopilotResumed,
  AutopilotTaskDispatched,
  AutopilotTaskGivenUp,
  DomainError,
  TaskAttemptFinished,
  TaskAttemptStarted,
  TaskPlanReviewed,
  TaskPlanned,
  TaskPlanningStarted,
  autopilotCommands,
  type CommandOf,
  type ConfigureAutopilot,
  type DecomposeTask,
  type DispatchReadyTasks,
  type MergeAttemptByAutopilot,
  type NewEvent,
  type PauseAutopilot,
  type RecordAttemptSessionEnd,
  type RecordAutopilotMerge,
  type RecordPlannerEnd,
  type RecordTaskPlan,
  type ResumeAutopilot,
  type ReviewTaskPlan,
  type TrainCar,
} from '@baton/events';
import type { ProjectState } from '../project/project.decider';
import { attemptBranchName } from '../task-graph/branch-name';
import { Decision } from '../task-graph/decision';
import { ancestorsOf, childrenIndex } from '../task-graph/graph';
import { decideTaskGraph } from '../task-graph/task-graph.decider';
import type { GraphFact, GraphState } from '../task-graph/task-graph.state';
import { decideMergeTrain, joinTrain, type MergeTrainCommand, type TrainHost } from '../merge-train/train.decide';
import type { TrainsState } from '../merge-train/train.state';
import { cloneAutopilot, evolveAutopilot, type AutopilotFact, type AutopilotState } from './autopilot.state';

export type AutopilotCommand =
  | CommandOf<typeof ConfigureAutopilot>
  | CommandOf<typeof PauseAutopilot>
  | CommandOf<typeof ResumeAutopilot>
  | CommandOf<typeof DispatchReadyTasks>
  | CommandOf<typeof RecordAttemptSessionEnd>
  | CommandOf<typeof MergeAttemptByAutopilot>
  | CommandOf<typeof RecordAutopilotMerge>
  | CommandOf<typeof DecomposeTask>
  | CommandOf<typeof RecordTaskPlan>
  | CommandOf<typeof RecordPlannerEnd>
  | CommandOf<typeof ReviewTaskPlan>
  | MergeTrainCommand;

const AUTOPILOT_COMMAND_TYPES: ReadonlySet<string> = new Set(autopilotCommands.map((c) => c.type));
export function isAutopilotCommand(c: { type: string }): c is AutopilotCommand {
  return AUTOPILOT_COMMAND_TYPES.has(c.type);
}

/** `prefix` + 24 hex digits of a hash of `parts`: the same parts give the same id on every redelivery. */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24)}`;
}

/** An id that is the same every time the same command decides for the same task: a redelivery starts nothing twice. */
export function derivedAttemptId(commandId: string, taskId: string): string {
  return derivedId('ap', commandId, taskId);
}

const FAILED_SESSION = new Set(['failed', 'exited']);
const COMPLETED_SESSION = new Set(['completed', 'succeeded']);

/**
 * One autopilot decision over the project's graph and autopilot state: graph events go
 * through `Decision` (so readiness, blocking and roll-up follow in the same decision),
 * autopilot events are folded into a working copy as they are decided.
 */
class AutopilotDecision implements TrainHost {
  readonly ap: AutopilotState;
  readonly d: Decision;
  private readonly apEvents: NewEvent[] = [];

  constructor(
    graph: GraphState,
    autopilot: AutopilotState,
    readonly projectId: string,
    private readonly commandId: string,
  ) {
    this.d = new Decision(graph, projectId);
    this.ap = cloneAutopilot(autopilot);
  }

  get trains(): TrainsState {
    return this.ap.train;
  }

  attemptActive(attemptId: string): boolean {
    return this.d.work.attempts.get(attemptId)?.active === true;
  }

  newId(prefix: string, ...parts: string[]): string {
    return derivedId(prefix, this.commandId, ...parts);
  }

  /** The attempt is on `into` at `commit`: merged, its task done, and a conflict hold it was the last under released. */
  landed(car: TrainCar, into: string, commit: string): void {
    const { taskId, attemptId } = car;
    const attempt = this.d.work.attempts.get(attemptId);
    if (!attempt?.active) return;
    const conflictHold = this.ap.conflicts.get(attemptId);
    this.say(AutopilotMerged({ taskId, attemptId, into, commit }));
    if (conflictHold && this.ap.holds.get(conflictHold) === 'merge_conflict' && ![...this.ap.conflicts.values()].includes(conflictHold)) {
      this.say(AutopilotHoldChanged({ taskId: conflictHold, hold: null, reason: `attempt ${attemptId} merged into ${into}` }));
    }
    this.graph(TaskAttemptFinished({ taskId, attemptId, outcome: 'merged', reason: `merged into ${into} as ${commit.slice(0, 12)}` }));
    this.d.setStatus(taskId, 'done', { cause: 'attempt_merged', attemptId });
  }

  /** A person fixes it: needs-input, and the task's subtree (its parent's, for a subtask) held until it lands. */
  askPerson(car: TrainCar, into: string, files: string[], message: string): void {
    const { taskId, attemptId } = car;
    const heldTaskId = this.d.work.tasks.get(taskId)?.parentId ?? taskId;
    this.say(AutopilotNeedsInput({ taskId, attemptId, heldTaskId, into, files, message }));
    if (this.ap.holds.get(heldTaskId) !== 'merge_conflict') this.say(AutopilotHoldChanged({ taskId: heldTaskId, hold: 'merge_conflict', reason: message }));
  }

  say(...events: AutopilotFact[]): this {
    for (const e of events) {
      this.apEvents.push(e as NewEvent);
      evolveAutopilot(this.ap, e);
    }
    return this;
  }

  graph(...events: GraphFact[]): this {
    this.d.emit(...events);
    return this;
  }

  /** Autopilot events first (why), then the graph's (what happened, with its consequences). */
  finish(): NewEvent[] {
    return [...this.apEvents, ...this.d.finish()];
  }

  /** The task itself or one of its ancestors is held (planned, awaiting a person, or a merge conflicted). */
  heldBy(taskId: string): { taskId: string; hold: string } | null {
    for (const id of [taskId, ...ancestorsOf(this.d.work.tasks, taskId)]) {
      const hold = this.ap.holds.get(id);
      if (hold) return { taskId: id, hold };
    }
    return null;
  }

  /** Why the autopilot would not start this task now; null: it would. */
  whyNot(taskId: string, children = childrenIndex(this.d.work.tasks)): string | null {
    const node = this.d.work.tasks.get(taskId);
    if (!node) return 'no such task';
    if (!this.ap.settings.enabled) return 'autopilot is off';
    if (this.ap.paused) return 'autopilot is paused';
    if ((children.get(taskId) ?? []).length) return 'it has subtasks';
    if (node.status !== 'ready') return `it is ${node.status}`;
    if (node.activeAttemptId) return `attempt ${node.activeAttemptId} is active`;
    if (this.ap.gaveUp.has(taskId)) return 'the autopilot gave up on it';
    const held = this.heldBy(taskId);
    if (held) return `${held.taskId === taskId ? 'it' : this.d.label(held.taskId)} is held (${held.hold})`;
    return null;
  }

  dispatch(commandId: string, taskId: string, reason: string, project: Active): void {
    const node = this.d.task(taskId);
    const attemptId = derivedAttemptId(commandId, taskId);
    const { sessionTemplateId } = this.ap.settings;
    this.say(AutopilotTaskDispatched({ taskId, attemptId, number: node.attemptCount + 1, sessionTemplateId, reason }));
    this.graph(
      TaskAttemptStarted({
        taskId,
        attemptId,
        number: node.attemptCount + 1,
        branch: attemptBranchName(node.title, attemptId, this.d.work.branches),
        baseBranch: project.repository.defaultBranch,
        promptVersionId: null,
        sessionTemplateId,
        // Nobody watches an autopilot attempt: the agent must not wait on a permission prompt.
        permissionMode: 'auto',
      }),
    );
    this.d.setStatus(taskId, 'in_progress', { cause: 'attempt_started', attemptId });
  }
}

type Active = Exclude<ProjectState, { status: 'absent' }>;

/** Decides an autopilot command against the project, its task graph and its autopilot state. */
export function decideAutopilot(command: AutopilotCommand, project: ProjectState, graph: GraphState, autopilot: AutopilotState): NewEvent[] {
  const { projectId } = command.data;
  if (project.status === 'absent' || project.status === 'deleted') throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
  const x = new AutopilotDecision(graph, autopilot, projectId, command.id);
  const { d, ap } = x;
  switch (command.type) {
    case 'autopilot.configure': {
      const { projectId: _p, ...changes } = command.data;
      if (changes.enabled && project.status === 'archived') throw new DomainError('invalid_state', `project ${projectId} is archived`, { projectId });
      const next = { ...ap.settings, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
      if (JSON.stringify(next) === JSON.stringify(ap.settings)) return [];
      return x.say(AutopilotConfigured(next)).finish();
    }
    case 'autopilot.pause': {
      const { reason, stopAll } = command.data;
      if (ap.paused && !stopAll) return [];
      x.say(AutopilotPaused({ reason, stopAll }));
      if (stopAll) {
        for (const [attemptId, taskId] of ap.dispatched) {
          const attempt = d.work.attempts.get(attemptId);
          if (!attempt?.active) continue;
          const why = `autopilot stopped${reason ? `: ${reason}` : ''}`;
          x.graph(TaskAttemptFinished({ taskId, attemptId, outcome: 'abandoned', reason: why }));
          d.setStatus(taskId, 'todo', { cause: 'attempt_ended', attemptId, reason: why });
        }
      }
      return x.finish();
    }
    case 'autopilot.resume':
      if (!ap.paused) return [];
      return x.say(AutopilotResumed({})).finish();
    case 'autopilot.dispatch': {
      if (!ap.settings.enabled || ap.paused || project.status !== 'active') return [];
      const children = childrenIndex(d.work.tasks);
      const candidates = command.data.taskIds ?? [...d.work.tasks.values()].sort((a, b) => a.priority - b.priority || a.number - b.number).map((t) => t.id);
      for (const taskId of candidates) {
        if (x.whyNot(taskId, children) === null) x.dispatch(command.id, taskId, command.data.reason, project);
      }
      return x.finish();
    }
    case 'autopilot.record_session_end': {
      const { taskId, attemptId, sessionId, status, reason } = command.data;
      const attempt = d.work.attempts.get(attemptId);
      // Only the autopilot's own attempts, and only while they are active: a person steers the rest.
      if (!attempt || attempt.taskId !== taskId || !attempt.active || !ap.dispatched.has(attemptId)) return [];
      if (COMPLETED_SESSION.has(status)) {
        // A session that completed in an attempt sent back from the train (a conflict, a failed
        // check): it fixed it, so the attempt joins again. A merge in flight from before the train
        // (an old log) is left to answer.
        const target = ap.train.returned.get(attemptId) ?? (ap.conflicts.has(attemptId) ? attempt.baseBranch : null);
        if (!target || ap.merging.has(attemptId)) return [];
        joinTrain(x, { taskId, attemptId, branch: attempt.branch }, target, `session ${sessionId} completed after a fix`);
        return x.finish();
      }
      if (!FAILED_SESSION.has(status)) return [];
      const failures = (ap.failures.get(taskId) ?? 0) + 1;
      const why = `session ${sessionId} ${status}${reason ? `: ${reason}` : ''}`.slice(0, 2_000);
      x.say(AutopilotAttemptFailed({ taskId, attemptId, failures, reason: why }));
      x.graph(TaskAttemptFinished({ taskId, attemptId, outcome: 'abandoned', reason: why }));
      if (failures >= ap.settings.maxAttempts) {
        const gaveUp = `failed ${failures} attempt${failures === 1 ? '' : 's'} (max ${ap.settings.maxAttempts}); last: ${why}`.slice(0, 2_000);
        x.say(AutopilotTaskGivenUp({ taskId, failures, reason: gaveUp }));
        d.setStatus(taskId, 'failed', { cause: 'marked_failed', reason: gaveUp });
      } else {
        // Back to todo: the rules make it ready again, and that readiness dispatches a new attempt.
        d.setStatus(taskId, 'todo', { cause: 'attempt_ended', attemptId, reason: why });
      }
      return x.finish();
    }
    case 'autopilot.merge': {
      const { taskId } = command.data;
      const node = d.task(taskId);
      const attemptId = command.data.attemptId ?? node.activeAttemptId;
      if (command.data.auto && (!attemptId || !ap.dispatched.has(attemptId) || ap.settings.onSuccess !== 'merge')) return [];
      if (!attemptId) throw new DomainError('invalid_state', `${d.label(taskId)} has no active attempt to merge`, { taskId });
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active) {
        if (attempt.outcome === 'merged') return [];
        throw new DomainError('invalid_state', `attempt ${attemptId} is finished (${attempt.outcome})`, { attemptId, outcome: attempt.outcome });
      }
      if (!attempt.inReview) throw new DomainError('invalid_state', `attempt ${attemptId} is not in review: its session has not completed`, { attemptId });
      if (ap.merging.has(attemptId)) return [];
      // Every merge goes through the target's train (docs/decisions/0030): rebased onto its tip, checked, landed in order.
      joinTrain(x, { taskId, attemptId, branch: attempt.branch }, attempt.baseBranch, command.data.auto ? 'its session completed' : 'merge requested');
      return x.finish();
    }
    case 'autopilot.record_merge': {
      const { taskId, attemptId, into } = command.data;
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active) return [];
      if (command.data.outcome === 'merged') {
        x.landed({ taskId, attemptId, branch: attempt.branch }, into, command.data.commit);
        return x.finish();
      }
      const files = command.data.outcome === 'conflict' ? command.data.files : [];
      const message =
        command.data.outcome === 'conflict'
          ? `merging ${attempt.branch} into ${into} conflicts in ${files.length} file${files.length === 1 ? '' : 's'}: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ' …' : ''}`
          : `merging ${attempt.branch} into ${into} failed: ${command.data.message}`;
      x.askPerson({ taskId, attemptId, branch: attempt.branch }, into, files, message.slice(0, 2_000));
      return x.finish();
    }
    case 'task.decompose': {
      const { taskId, sessionId } = command.data;
      if (project.status === 'archived') throw new DomainError('invalid_state', `project ${projectId} is archived`, { projectId });
      const node = d.task(taskId);
      const planning = ap.planning.get(taskId);
      if (planning) {
        if (planning.sessionId === sessionId) return [];
        throw new DomainError('conflict', `${d.label(taskId)} is already being planned by session ${planning.sessionId}`, { taskId, sessionId: planning.sessionId });
      }
      if (['done', 'cancelled', 'failed'].includes(node.status)) {
        throw new DomainError('invalid_state', `${d.label(taskId)} is ${node.status}: nothing to plan`, { taskId, status: node.status });
      }
      if (node.activeAttemptId) {
        throw new DomainError('conflict', `${d.label(taskId)} has an active attempt ${node.activeAttemptId}; finish it before planning`, { taskId, activeAttemptId: node.activeAttemptId });
      }
      if ((childrenIndex(d.work.tasks).get(taskId) ?? []).length) {
        throw new DomainError('invalid_state', `${d.label(taskId)} already has subtasks; decompose them instead`, { taskId });
      }
      const depth = command.data.depth ?? ap.settings.decomposeDepth;
      const plannerTemplateId = command.data.plannerTemplateId ?? ap.settings.plannerTemplateId;
      return x
        .say(TaskPlanningStarted({ taskId, sessionId, plannerTemplateId, depth }))
        .say(AutopilotHoldChanged({ taskId, hold: 'planning', reason: `planner session ${sessionId} is planning it` }))
        .finish();
    }
    case 'task.record_plan': {
      const { taskId, decision, reason, sessionId } = command.data;
      const node = d.task(taskId);
      const planning = ap.planning.get(taskId);
      if (!planning) throw new DomainError('invalid_state', `${d.label(taskId)} is not being planned (start with decompose)`, { taskId });
      if (sessionId && planning.sessionId !== sessionId) {
        throw new DomainError('conflict', `${d.label(taskId)} is planned by session ${planning.sessionId}, not ${sessionId}`, { taskId, sessionId: planning.sessionId });
      }
      const children = (childrenIndex(d.work.tasks).get(taskId) ?? []).slice();
      if (decision === 'decompose' && !children.length) {
        throw new DomainError('invalid_state', `${d.label(taskId)} has no subtasks: create them (baton task create --parent ${taskId}) before deciding to decompose`, { taskId });
      }
      if (decision === 'execute' && children.length) {
        throw new DomainError('invalid_state', `${d.label(taskId)} has ${children.length} subtask(s): it cannot be executed as one piece`, { taskId, children });
      }
      const needsApproval = decision === 'decompose' && node.executionMode === 'interactive';
      x.say(TaskPlanned({ taskId, decision, reason, children, sessionId, needsApproval, depth: planning.depth }));
      x.say(
        AutopilotHoldChanged({
          taskId,
          hold: needsApproval ? 'plan_review' : null,
          reason: needsApproval ? `the plan of ${children.length} subtask(s) awaits a person (interactive task)` : `planned: ${decision}`,
        }),
      );
      return x.finish();
    }
    case 'task.record_planner_end': {
      const { taskId, sessionId, status, reason } = command.data;
      const planning = ap.planning.get(taskId);
      if (!planning || planning.sessionId !== sessionId) return [];
      const children = childrenIndex(d.work.tasks).get(taskId) ?? [];
      const why = `planner session ${sessionId} ${status} without a decision${reason ? ` (${reason})` : ''}`.slice(0, 2_000);
      if (children.length) {
        // It created subtasks but never said so: a person looks at them before they run.
        x.say(TaskPlanned({ taskId, decision: 'decompose', reason: why, children, sessionId, needsApproval: true, depth: planning.depth }));
        x.say(AutopilotHoldChanged({ taskId, hold: 'plan_review', reason: why }));
      } else {
        x.say(TaskPlanned({ taskId, decision: 'execute', reason: why, children: [], sessionId, needsApproval: false, depth: planning.depth }));
        x.say(AutopilotHoldChanged({ taskId, hold: null, reason: why }));
      }
      return x.finish();
    }
    case 'task.review_plan': {
      const { taskId, accept, reason } = command.data;
      d.task(taskId);
      if (ap.holds.get(taskId) !== 'plan_review') throw new DomainError('invalid_state', `${d.label(taskId)} has no plan awaiting review`, { taskId });
      const children = (childrenIndex(d.work.tasks).get(taskId) ?? []).slice();
      const depth = ap.planDepth.get(taskId) ?? 1;
      x.say(TaskPlanReviewed({ taskId, accepted: accept, reason, children, depth }));
      x.say(AutopilotHoldChanged({ taskId, hold: null, reason: accept ? `plan accepted${reason ? `: ${reason}` : ''}` : `plan rejected${reason ? `: ${reason}` : ''}` }));
      if (!accept) {
        // The proposed subtree goes, latest first so no removed task still has a dependant. The
        // removals' own status consequences are left out: this decision's finish derives them once.
        for (const child of [...children].reverse()) {
          const removal = decideTaskGraph({ ...command, type: 'task.remove', data: { projectId, taskId: child } }, project, d.work) as unknown as GraphFact[];
          x.graph(...removal.filter((e) => e.type !== 'project.task_status_changed' && e.type !== 'project.task_blocked'));
        }
      }
      return x.finish();
    }
    case 'merge_train.configure':
    case 'merge_train.record_build':
    case 'merge_train.record_check':
    case 'merge_train.record_land':
      decideMergeTrain(x, command);
      return x.finish();
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
