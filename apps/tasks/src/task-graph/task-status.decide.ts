import { CancelTask, CompleteTask, DomainError, FailTask, ReopenTask, TaskAttemptFinished, type CommandOf, type NewEvent } from '@baton/events';
import type { Decision } from './decision';
import { FINISHED_STATUSES } from './graph';

type StatusCommand = CommandOf<typeof CompleteTask> | CommandOf<typeof FailTask> | CommandOf<typeof CancelTask> | CommandOf<typeof ReopenTask>;

/** A person (or an autonomous agent) says how a task ended, or that it is to be worked again. */
export function decideTaskStatus(command: StatusCommand, d: Decision): NewEvent[] {
  const { taskId, reason } = command.data;
  const node = d.task(taskId);
  const parent = d.isParent(taskId);
  const rollsUp = () =>
    new DomainError('invalid_state', `the status of ${d.label(taskId)} rolls up from its subtasks; change theirs`, { taskId, status: node.status });
  const endActiveAttempt = (id: string) => {
    const active = d.work.tasks.get(id)?.activeAttemptId;
    if (active) d.emit(TaskAttemptFinished({ taskId: id, attemptId: active, outcome: 'abandoned', ...(reason ? { reason } : {}) }));
  };
  const withReason = reason ? { reason } : {};
  switch (command.type) {
    case 'task.complete': {
      if (parent) throw rollsUp();
      if (node.status === 'done') return [];
      if (node.activeAttemptId) {
        throw new DomainError('conflict', `${d.label(taskId)} has an active attempt ${node.activeAttemptId}; merge or abandon it first`, {
          taskId,
          activeAttemptId: node.activeAttemptId,
        });
      }
      return d.setStatus(taskId, 'done', { cause: 'marked_done', ...withReason }).finish();
    }
    case 'task.fail': {
      if (parent) throw rollsUp();
      if (node.status === 'failed') return [];
      if (node.status === 'done' || node.status === 'cancelled') {
        throw new DomainError('invalid_state', `${d.label(taskId)} is ${node.status}; reopen it first`, { taskId, status: node.status });
      }
      endActiveAttempt(taskId);
      return d.setStatus(taskId, 'failed', { cause: 'marked_failed', ...withReason }).finish();
    }
    case 'task.cancel': {
      const leaves = d.leaves(taskId).filter((id) => !['done', 'cancelled'].includes(d.work.tasks.get(id)!.status));
      if (!parent && node.status === 'done') {
        throw new DomainError('invalid_state', `${d.label(taskId)} is done; reopen it first`, { taskId, status: node.status });
      }
      for (const id of leaves) {
        endActiveAttempt(id);
        d.setStatus(id, 'cancelled', { cause: 'cancelled', ...withReason });
      }
      return leaves.length ? d.finish() : [];
    }
    case 'task.reopen': {
      if (!parent) {
        if (!FINISHED_STATUSES.has(node.status)) {
          throw new DomainError('invalid_state', `${d.label(taskId)} is ${node.status}; only done, failed or cancelled tasks reopen`, {
            taskId,
            status: node.status,
          });
        }
        return d.setStatus(taskId, 'todo', { cause: 'reopened', ...withReason }).finish();
      }
      const leaves = d.leaves(taskId).filter((id) => ['cancelled', 'failed'].includes(d.work.tasks.get(id)!.status));
      if (!leaves.length) throw new DomainError('invalid_state', `no subtask of ${d.label(taskId)} is failed or cancelled; reopen a subtask`, { taskId });
      for (const id of leaves) d.setStatus(id, 'todo', { cause: 'reopened', ...withReason });
      return d.finish();
    }
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
