import {
  AddTaskDependency,
  CancelTask,
  CompleteTask,
  CreateTask,
  DomainError,
  EditTask,
  FailTask,
  FinishAttempt,
  MoveTask,
  RecordAttemptWorkspace,
  RemoveTask,
  RemoveTaskDependency,
  ReopenTask,
  RequestAttemptChanges,
  RequestAttemptReview,
  StartAttempt,
  TaskAdded,
  TaskDependencyAdded,
  TaskDependencyRemoved,
  TaskDetailsChanged,
  TaskMoved,
  TaskRemoved,
  taskGraphCommands,
  type CommandOf,
  type NewEvent,
} from '@baton/events';
import type { ProjectState } from '../project/project.decider';
import { decideAttempt } from './attempt.decide';
import { Decision } from './decision';
import { decideTaskStatus } from './task-status.decide';
import type { GraphState } from './task-graph.state';

export type TaskGraphCommand =
  | CommandOf<typeof CreateTask>
  | CommandOf<typeof EditTask>
  | CommandOf<typeof MoveTask>
  | CommandOf<typeof AddTaskDependency>
  | CommandOf<typeof RemoveTaskDependency>
  | CommandOf<typeof CompleteTask>
  | CommandOf<typeof FailTask>
  | CommandOf<typeof CancelTask>
  | CommandOf<typeof ReopenTask>
  | CommandOf<typeof RemoveTask>
  | CommandOf<typeof StartAttempt>
  | CommandOf<typeof RecordAttemptWorkspace>
  | CommandOf<typeof RequestAttemptReview>
  | CommandOf<typeof RequestAttemptChanges>
  | CommandOf<typeof FinishAttempt>;

const GRAPH_COMMAND_TYPES: ReadonlySet<string> = new Set(taskGraphCommands.map((c) => c.type));
export function isTaskGraphCommand(c: { type: string }): c is TaskGraphCommand {
  return GRAPH_COMMAND_TYPES.has(c.type);
}

const MAX_DEPENDENCIES = 100;

/** Decides a task-graph command against the project it belongs to. Throws DomainError on a broken rule. */
export function decideTaskGraph(command: TaskGraphCommand, project: ProjectState, graph: GraphState): NewEvent[] {
  const { projectId } = command.data;
  if (project.status === 'absent' || project.status === 'deleted') {
    throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
  }
  const d = new Decision(graph, projectId);
  switch (command.type) {
    case 'task.create': {
      if (project.status === 'archived') throw new DomainError('invalid_state', `project ${projectId} is archived`, { projectId });
      const { taskId, parentId, dependsOn, projectId: _p, ...details } = command.data;
      if (d.work.tasks.has(taskId)) throw new DomainError('conflict', `task ${taskId} already exists`, { taskId });
      if (parentId !== null) d.task(parentId);
      const seen = new Set<string>();
      for (const dep of dependsOn) {
        if (dep.taskId === taskId) throw new DomainError('validation', `task ${taskId} cannot depend on itself`, { taskId });
        if (seen.has(dep.taskId)) throw new DomainError('validation', `dependency on ${dep.taskId} is listed twice`, { dependsOnTaskId: dep.taskId });
        seen.add(dep.taskId);
        d.task(dep.taskId);
      }
      d.emit(TaskAdded({ taskId, number: d.work.lastNumber + 1, parentId, dependsOn, ...details }));
      return d.refuseCycles().finish();
    }
    case 'task.edit': {
      const { taskId, projectId: _p, ...fields } = command.data;
      const node = d.task(taskId);
      const changed = Object.fromEntries(
        Object.entries(fields).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(node[k as keyof typeof node])),
      );
      return Object.keys(changed).length ? [TaskDetailsChanged({ taskId, ...changed })] : [];
    }
    case 'task.move': {
      const { taskId, parentId } = command.data;
      const node = d.task(taskId);
      if (parentId === node.parentId) return [];
      if (parentId !== null) {
        d.task(parentId);
        const inside = d.subtree(taskId);
        if (inside.includes(parentId)) {
          const path = [parentId];
          for (let p = d.work.tasks.get(parentId)!.parentId; p !== null && p !== taskId; p = d.work.tasks.get(p)!.parentId) path.push(p);
          path.push(taskId, parentId);
          throw new DomainError(
            'conflict',
            `cannot move ${d.label(taskId)} under ${d.label(parentId)}, which is inside its own subtree: ${path.map((id) => d.label(id)).join(' → ')}`,
            { path },
          );
        }
      }
      d.emit(TaskMoved({ taskId, fromParentId: node.parentId, toParentId: parentId }));
      return d.refuseCycles().finish();
    }
    case 'task.add_dependency': {
      const { taskId, dependsOnTaskId, condition } = command.data;
      const node = d.task(taskId);
      d.task(dependsOnTaskId);
      if (taskId === dependsOnTaskId) throw new DomainError('validation', `task ${taskId} cannot depend on itself`, { taskId });
      const existing = node.dependsOn.find((x) => x.taskId === dependsOnTaskId);
      if (existing?.condition === condition) return [];
      if (existing) d.emit(TaskDependencyRemoved({ taskId, dependsOnTaskId }));
      else if (node.dependsOn.length >= MAX_DEPENDENCIES) {
        throw new DomainError('validation', `task ${taskId} already has ${MAX_DEPENDENCIES} dependencies`, { taskId });
      }
      d.emit(TaskDependencyAdded({ taskId, dependsOnTaskId, condition }));
      return d.refuseCycles().finish();
    }
    case 'task.remove_dependency': {
      const { taskId, dependsOnTaskId } = command.data;
      if (!d.task(taskId).dependsOn.some((x) => x.taskId === dependsOnTaskId)) {
        throw new DomainError('not_found', `task ${taskId} does not depend on ${dependsOnTaskId}`, { taskId, dependsOnTaskId });
      }
      return d.emit(TaskDependencyRemoved({ taskId, dependsOnTaskId })).finish();
    }
    case 'task.remove': {
      const { taskId } = command.data;
      const node = d.task(taskId);
      const subtree = d.subtree(taskId);
      const inside = new Set(subtree);
      const outsideDependants = [...d.work.tasks.values()].filter((n) => !inside.has(n.id) && n.dependsOn.some((x) => inside.has(x.taskId)));
      if (outsideDependants.length) {
        throw new DomainError('conflict', `cannot remove ${d.label(taskId)}: ${outsideDependants.map((n) => d.label(n.id)).join(', ')} depend on it or its subtasks`, {
          dependants: outsideDependants.map((n) => n.id),
        });
      }
      const active = subtree.map((id) => d.work.tasks.get(id)!).find((n) => n.activeAttemptId !== null);
      if (active) {
        throw new DomainError('conflict', `cannot remove ${d.label(taskId)}: attempt ${active.activeAttemptId} of ${d.label(active.id)} is active`, {
          taskId: active.id,
          activeAttemptId: active.activeAttemptId,
        });
      }
      for (const id of [...subtree].reverse()) {
        const n = d.work.tasks.get(id)!;
        for (const dep of n.dependsOn) d.emit(TaskDependencyRemoved({ taskId: id, dependsOnTaskId: dep.taskId }));
        d.emit(TaskRemoved({ taskId: id, parentId: id === taskId ? node.parentId : n.parentId }));
      }
      return d.finish();
    }
    case 'task.complete':
    case 'task.fail':
    case 'task.cancel':
    case 'task.reopen':
      return decideTaskStatus(command, d);
    case 'task.start_attempt':
    case 'task.record_attempt_workspace':
    case 'task.request_review':
    case 'task.request_changes':
    case 'task.finish_attempt':
      return decideAttempt(command, d, project);
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
