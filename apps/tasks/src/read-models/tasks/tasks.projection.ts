import type { TaskStatus } from '@baton/events';
import type { Projection } from '@baton/projections';
import { TaskRowEntity, type TaskRow } from './task-row.entity';

const FINISHED: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'cancelled']);
const without = (list: string[], id: string) => list.filter((x) => x !== id);

/** One row per task: details, place in the tree and the DAG, status and counts. */
export const tasksProjection: Projection<TaskRow> = {
  name: 'tasks',
  version: 1,
  entity: TaskRowEntity,
  keysOf(event) {
    switch (event.type) {
      case 'project.task_added': {
        const { taskId, parentId, dependsOn } = event.data;
        return [taskId, ...(parentId ? [parentId] : []), ...dependsOn.map((d) => d.taskId)];
      }
      case 'project.task_moved':
        return [event.data.taskId, event.data.fromParentId, event.data.toParentId].filter((k): k is string => k !== null);
      case 'project.task_removed':
        return event.data.parentId ? [event.data.taskId, event.data.parentId] : [event.data.taskId];
      case 'project.task_dependency_added':
      case 'project.task_dependency_removed':
        return [event.data.taskId, event.data.dependsOnTaskId];
      case 'project.task_details_changed':
      case 'project.task_status_changed':
      case 'project.task_blocked':
      case 'project.task_attempt_started':
      case 'project.task_attempt_finished':
        return [event.data.taskId];
      case 'task.attempt_message_added':
        return [event.aggregate.id];
      case 'session.requested':
        return [...new Set(event.data.taskIds)];
      default:
        return [];
    }
  },
  evolve(row, event, key) {
    if (event.type === 'project.task_added' && key === event.data.taskId) {
      const { taskId, number, parentId, dependsOn, ...details } = event.data;
      return {
        id: taskId,
        projectId: event.aggregate.id,
        number,
        parentId,
        ...details,
        status: 'todo',
        blockedBy: null,
        dependsOn,
        dependants: [],
        childCount: 0,
        activeAttemptId: null,
        attemptCount: 0,
        sessionCount: 0,
        messageCount: 0,
        createdAt: event.occurredAt,
        updatedAt: event.occurredAt,
        startedAt: null,
        doneAt: null,
        finishedAt: null,
        eventCount: 1,
        lastSeq: event.position.seq,
      };
    }
    if (!row) return row;
    const touch = (r: TaskRow): TaskRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'project.task_added':
        // This row is the new task's parent or one of its dependencies (never both: that is a cycle).
        return key === event.data.parentId
          ? touch({ ...row, childCount: row.childCount + 1 })
          : touch({ ...row, dependants: [...without(row.dependants, event.data.taskId), event.data.taskId] });
      case 'project.task_details_changed': {
        const { taskId: _id, ...changes } = event.data;
        return touch({ ...row, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) });
      }
      case 'project.task_moved':
        if (key === event.data.taskId) return touch({ ...row, parentId: event.data.toParentId });
        return touch({ ...row, childCount: row.childCount + (key === event.data.toParentId ? 1 : -1) });
      case 'project.task_removed':
        return key === event.data.taskId ? null : touch({ ...row, childCount: Math.max(0, row.childCount - 1) });
      case 'project.task_dependency_added': {
        const { taskId, dependsOnTaskId, condition } = event.data;
        if (key === taskId) return touch({ ...row, dependsOn: [...row.dependsOn.filter((d) => d.taskId !== dependsOnTaskId), { taskId: dependsOnTaskId, condition }] });
        return touch({ ...row, dependants: [...without(row.dependants, taskId), taskId] });
      }
      case 'project.task_dependency_removed': {
        const { taskId, dependsOnTaskId } = event.data;
        if (key === taskId) return touch({ ...row, dependsOn: row.dependsOn.filter((d) => d.taskId !== dependsOnTaskId) });
        return touch({ ...row, dependants: without(row.dependants, taskId) });
      }
      case 'project.task_status_changed': {
        const to = event.data.to;
        return touch({
          ...row,
          status: to,
          blockedBy: null,
          startedAt: row.startedAt ?? (to === 'in_progress' ? event.occurredAt : null),
          doneAt: to === 'done' ? event.occurredAt : null,
          finishedAt: FINISHED.has(to) ? event.occurredAt : null,
        });
      }
      case 'project.task_blocked':
        return touch({ ...row, status: 'blocked', blockedBy: event.data.blockedBy, doneAt: null, finishedAt: null });
      case 'project.task_attempt_started':
        return touch({ ...row, activeAttemptId: event.data.attemptId, attemptCount: Math.max(row.attemptCount, event.data.number) });
      case 'project.task_attempt_finished':
        return touch({ ...row, activeAttemptId: row.activeAttemptId === event.data.attemptId ? null : row.activeAttemptId });
      case 'task.attempt_message_added':
        return touch({ ...row, messageCount: row.messageCount + 1 });
      case 'session.requested':
        return touch({ ...row, sessionCount: row.sessionCount + 1 });
      default:
        return row;
    }
  },
};
