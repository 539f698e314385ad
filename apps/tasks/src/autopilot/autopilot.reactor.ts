import type {
  CommandDataOf,
  DecomposeTask,
  DispatchReadyTasks,
  DomainEvent,
  MergeAttemptByAutopilot,
  RecordAttemptSessionEnd,
  RecordPlannerEnd,
} from '@baton/events';
import { commandsFor, type ReactorCommand } from '../task-graph/reactors';
import { derivedId } from './autopilot.decide';

/**
 * Autopilot's reactions, as a pure function: event → commands. It decides nothing itself:
 * every command it sends is decided on the project aggregate, which knows whether the
 * autopilot is on, what is held and what already happened (a redelivered event's commands
 * keep their ids, so they are applied once).
 */
export function autopilotReactor(event: DomainEvent): ReactorCommand[] {
  const out: { type: string; data: unknown }[] = [];
  const dispatch = (taskIds: string[] | null, reason: string) => {
    const data: CommandDataOf<typeof DispatchReadyTasks> = { projectId: event.aggregate.id, taskIds, reason };
    out.push({ type: 'autopilot.dispatch', data });
  };
  const decomposeChildren = (projectId: string, children: string[], depth: number) => {
    if (depth <= 1) return;
    for (const taskId of children) {
      const data: CommandDataOf<typeof DecomposeTask> = { projectId, taskId, sessionId: plannerSessionId(event.id, taskId), depth: depth - 1, plannerTemplateId: null };
      out.push({ type: 'task.decompose', data });
    }
  };

  switch (event.type) {
    case 'project.task_status_changed':
      if (event.data.to === 'ready') dispatch([event.data.taskId], event.data.cause === 'attempt_ended' ? `ready again: ${event.data.reason ?? 'its attempt ended'}` : 'ready');
      break;
    case 'project.autopilot_configured':
      if (event.data.enabled) dispatch(null, 'autopilot switched on');
      break;
    case 'project.autopilot_resumed':
      dispatch(null, 'autopilot resumed');
      break;
    case 'project.autopilot_hold_changed':
      if (event.data.hold === null) dispatch(null, `released: ${event.data.reason}`);
      break;
    case 'project.task_planned':
      if (event.data.decision === 'decompose' && !event.data.needsApproval) decomposeChildren(event.aggregate.id, event.data.children, event.data.depth);
      break;
    case 'project.task_plan_reviewed':
      if (event.data.accepted) decomposeChildren(event.aggregate.id, event.data.children, event.data.depth);
      break;
    case 'project.task_attempt_review_requested': {
      const data: CommandDataOf<typeof MergeAttemptByAutopilot> = { projectId: event.aggregate.id, taskId: event.data.taskId, attemptId: event.data.attemptId, auto: true };
      out.push({ type: 'autopilot.merge', data });
      break;
    }
    case 'session.ended': {
      const d = event.data;
      if (d.attemptId && d.taskIds[0]) {
        const data: CommandDataOf<typeof RecordAttemptSessionEnd> = {
          projectId: d.projectId,
          taskId: d.taskIds[0],
          attemptId: d.attemptId,
          sessionId: event.aggregate.id,
          status: d.status,
          reason: d.reason.slice(0, 2_000),
        };
        out.push({ type: 'autopilot.record_session_end', data });
      }
      if (d.origin.kind === 'planner') {
        const data: CommandDataOf<typeof RecordPlannerEnd> = { projectId: d.projectId, taskId: d.origin.taskId, sessionId: event.aggregate.id, status: d.status, reason: d.reason.slice(0, 2_000) };
        out.push({ type: 'task.record_planner_end', data });
      }
      break;
    }
    default:
      break;
  }
  return commandsFor(event, out);
}

/** The planner session a decomposition starts for a task, the same on every redelivery. */
export function plannerSessionId(cause: string, taskId: string): string {
  return derivedId('pl', cause, taskId);
}
