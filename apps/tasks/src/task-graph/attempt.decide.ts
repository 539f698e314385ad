import {
  DomainError,
  FinishAttempt,
  RecordAttemptWorkspace,
  RequestAttemptChanges,
  RequestAttemptReview,
  StartAttempt,
  TaskAttemptChangesRequested,
  TaskAttemptFinished,
  TaskAttemptReviewRequested,
  TaskAttemptStarted,
  TaskAttemptWorkspacePrepared,
  type CommandOf,
  type NewEvent,
} from '@baton/events';
import type { ProjectState } from '../project/project.decider';
import { attemptBranchName } from './branch-name';
import type { Decision } from './decision';
import { childrenIndex, conditionMet, deriveStatuses, effectiveDependencies } from './graph';

type AttemptCommand =
  | CommandOf<typeof StartAttempt>
  | CommandOf<typeof RecordAttemptWorkspace>
  | CommandOf<typeof RequestAttemptReview>
  | CommandOf<typeof RequestAttemptChanges>
  | CommandOf<typeof FinishAttempt>;

/** Attempts: at most one active per task; their start, review and end move the task's status in the same decision. */
export function decideAttempt(command: AttemptCommand, d: Decision, project: Exclude<ProjectState, { status: 'absent' }>): NewEvent[] {
  const { taskId } = command.data;
  switch (command.type) {
    case 'task.start_attempt': {
      const { attemptId, baseBranch, promptVersionId, sessionTemplateId, supersede, ignoreDependencies } = command.data;
      if (project.status === 'archived') throw new DomainError('invalid_state', `project ${d.projectId} is archived`, { projectId: d.projectId });
      const node = d.task(taskId);
      if (d.work.attempts.has(attemptId)) throw new DomainError('conflict', `attempt ${attemptId} already exists`, { attemptId });
      if (d.isParent(taskId)) {
        throw new DomainError('invalid_state', `${d.label(taskId)} has subtasks; start attempts on them`, { taskId });
      }
      if (node.status === 'done' || node.status === 'cancelled') {
        throw new DomainError('invalid_state', `${d.label(taskId)} is ${node.status}; reopen it first`, { taskId, status: node.status });
      }
      if (node.activeAttemptId) {
        if (!supersede) {
          throw new DomainError('conflict', `${d.label(taskId)} already has an active attempt ${node.activeAttemptId}`, {
            taskId,
            activeAttemptId: node.activeAttemptId,
          });
        }
        d.emit(TaskAttemptFinished({ taskId, attemptId: node.activeAttemptId, outcome: 'superseded', reason: `superseded by attempt ${attemptId}` }));
      }
      if ((node.status === 'todo' || node.status === 'blocked') && !ignoreDependencies) {
        const statuses = deriveStatuses(d.work.tasks, childrenIndex(d.work.tasks));
        const unmet = effectiveDependencies(d.work.tasks, taskId)
          .map((dep) => ({ ...dep, status: statuses.get(dep.taskId)?.status ?? 'cancelled' }))
          .filter((dep) => !conditionMet(dep.condition, dep.status));
        throw new DomainError(
          'invalid_state',
          `${d.label(taskId)} is ${node.status}: ${unmet.map((u) => `${d.label(u.taskId)} is ${u.status}, needs ${u.condition}`).join('; ')}`,
          { taskId, status: node.status, unmet },
        );
      }
      d.emit(
        TaskAttemptStarted({
          taskId,
          attemptId,
          number: node.attemptCount + 1,
          branch: attemptBranchName(node.title, attemptId, d.work.branches),
          baseBranch: baseBranch ?? project.repository.defaultBranch,
          promptVersionId,
          sessionTemplateId,
        }),
      );
      return d.setStatus(taskId, 'in_progress', { cause: 'attempt_started', attemptId }).finish();
    }
    case 'task.record_attempt_workspace': {
      const { attemptId, baseCommit, worktreePath, runnerId } = command.data;
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active) throw new DomainError('invalid_state', `attempt ${attemptId} is finished (${attempt.outcome})`, { attemptId, outcome: attempt.outcome });
      return [TaskAttemptWorkspacePrepared({ taskId, attemptId, baseCommit, worktreePath, runnerId })];
    }
    case 'task.request_review': {
      const { attemptId, summary } = command.data;
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active) throw new DomainError('invalid_state', `attempt ${attemptId} is finished (${attempt.outcome})`, { attemptId, outcome: attempt.outcome });
      if (attempt.inReview) return [];
      d.emit(TaskAttemptReviewRequested({ taskId, attemptId, ...(summary ? { summary } : {}) }));
      return d.setStatus(taskId, 'in_review', { cause: 'review_requested', attemptId }).finish();
    }
    case 'task.request_changes': {
      const { attemptId, comment } = command.data;
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active || !attempt.inReview) {
        throw new DomainError('invalid_state', `attempt ${attemptId} is not in review`, { attemptId, active: attempt.active });
      }
      d.emit(TaskAttemptChangesRequested({ taskId, attemptId, ...(comment ? { comment } : {}) }));
      return d.setStatus(taskId, 'in_progress', { cause: 'changes_requested', attemptId }).finish();
    }
    case 'task.finish_attempt': {
      const { attemptId, outcome, reason } = command.data;
      const attempt = d.attempt(taskId, attemptId);
      if (!attempt.active) {
        if (attempt.outcome === outcome) return [];
        throw new DomainError('conflict', `attempt ${attemptId} already finished as ${attempt.outcome}`, { attemptId, outcome: attempt.outcome });
      }
      d.emit(TaskAttemptFinished({ taskId, attemptId, outcome, ...(reason ? { reason } : {}) }));
      return outcome === 'merged'
        ? d.setStatus(taskId, 'done', { cause: 'attempt_merged', attemptId }).finish()
        : d.setStatus(taskId, 'todo', { cause: 'attempt_ended', attemptId, ...(reason ? { reason } : {}) }).finish();
    }
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
