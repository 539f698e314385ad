import type { CommandDataOf, CommandEnvelope, DomainEvent, RecordAutopilotMerge, RecordPlannerEnd, RunnerMerge, SpawnSession, TemplateSnapshot } from '@baton/events';
import { commandsFor } from './session.reactors';

/** What the planner reaction looks up: the template snapshot a planner runs. */
export interface PlannerContext {
  templateFor(projectId: string, templateId: string): TemplateSnapshot | null;
}

/**
 * `task.decompose` → the planner session: a `planner` role (its token may create subtasks
 * under its task and record the plan), on the project's checkout, with the task as its
 * only task. Without its template the planning ends at once, with the reason.
 */
export function plannerReactor(event: DomainEvent, ctx: PlannerContext): CommandEnvelope[] {
  if (event.type !== 'project.task_planning_started') return [];
  const projectId = event.aggregate.id;
  const { taskId, sessionId, plannerTemplateId, depth } = event.data;
  const template = ctx.templateFor(projectId, plannerTemplateId);
  if (!template) {
    const data: CommandDataOf<typeof RecordPlannerEnd> = { projectId, taskId, sessionId, status: 'failed', reason: `planner template ${plannerTemplateId} does not exist` };
    return commandsFor(event, [{ type: 'task.record_planner_end', data }]);
  }
  const data: CommandDataOf<typeof SpawnSession> = {
    sessionId,
    projectId,
    templateId: plannerTemplateId,
    template,
    permissionMode: 'auto',
    taskIds: [taskId],
    strategy: 'simple',
    role: 'planner',
    parentSessionId: null,
    name: 'planner',
    runnerLabels: {},
    budget: null,
    prompt: null,
    origin: { kind: 'planner', taskId, depth },
  };
  return commandsFor(event, [{ type: 'session.spawn', data }]);
}

export type MergeDirective = { kind: 'message'; runnerId: string; msgId: string; data: RunnerMerge } | { kind: 'command'; command: CommandEnvelope };

/**
 * `project.autopilot_merge_requested` → the runner that last ran the attempt (its worktree
 * and branch are there) gets a `merge` message; with no such runner the merge fails at
 * once, which the autopilot turns into a needs-input.
 */
export function mergeDirective(event: DomainEvent, runnerOfAttempt: string | null): MergeDirective | null {
  if (event.type !== 'project.autopilot_merge_requested') return null;
  const projectId = event.aggregate.id;
  const { taskId, attemptId, branch, into } = event.data;
  if (!runnerOfAttempt) {
    const data: CommandDataOf<typeof RecordAutopilotMerge> = { projectId, taskId, attemptId, into, outcome: 'failed', message: `no runner ever ran attempt ${attemptId}: its branch ${branch} is nowhere to merge from` };
    return { kind: 'command', command: commandsFor(event, [{ type: 'autopilot.record_merge', data }])[0] };
  }
  return {
    kind: 'message',
    runnerId: runnerOfAttempt,
    msgId: `merge-${event.id}`,
    data: { projectId, taskId, attemptId, branch, into, strategy: 'squash', message: `baton autopilot: ${branch} (task ${taskId})` },
  };
}
