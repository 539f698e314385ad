import type { Projection } from '@baton/projections';
import { AttemptMessageRowEntity, AttemptRowEntity, type AttemptMessageRow, type AttemptRow } from './attempt-row.entity';

/** One row per attempt: branch, base, worktree, prompt version, how it ended, counts. */
export const attemptsProjection: Projection<AttemptRow> = {
  name: 'attempts',
  version: 1,
  entity: AttemptRowEntity,
  keysOf(event) {
    switch (event.type) {
      case 'project.task_attempt_started':
      case 'project.task_attempt_workspace_prepared':
      case 'project.task_attempt_review_requested':
      case 'project.task_attempt_changes_requested':
      case 'project.task_attempt_finished':
      case 'task.attempt_message_added':
        return [event.data.attemptId];
      case 'session.requested':
        return event.data.attemptId ? [event.data.attemptId] : [];
      default:
        return [];
    }
  },
  evolve(row, event, key) {
    if (event.type === 'project.task_attempt_started') {
      if (row) return row;
      const d = event.data;
      return {
        id: key,
        taskId: d.taskId,
        projectId: event.aggregate.id,
        number: d.number,
        branch: d.branch,
        baseBranch: d.baseBranch,
        baseCommit: null,
        worktreePath: null,
        runnerId: null,
        promptVersionId: d.promptVersionId,
        sessionTemplateId: d.sessionTemplateId,
        status: 'active',
        finishReason: null,
        startedAt: event.occurredAt,
        finishedAt: null,
        messageCount: 0,
        sessionCount: 0,
        lastMessageAt: null,
        eventCount: 1,
        lastSeq: event.position.seq,
      };
    }
    if (!row) return row;
    const touch = (r: AttemptRow): AttemptRow => ({ ...r, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'project.task_attempt_workspace_prepared':
        return touch({ ...row, baseCommit: event.data.baseCommit, worktreePath: event.data.worktreePath, runnerId: event.data.runnerId });
      case 'project.task_attempt_review_requested':
        return touch({ ...row, status: 'in_review' });
      case 'project.task_attempt_changes_requested':
        return touch({ ...row, status: 'active' });
      case 'project.task_attempt_finished':
        return touch({ ...row, status: event.data.outcome, finishReason: event.data.reason ?? null, finishedAt: event.occurredAt });
      case 'task.attempt_message_added':
        return touch({ ...row, messageCount: row.messageCount + 1, lastMessageAt: event.occurredAt });
      case 'session.requested':
        return touch({ ...row, sessionCount: row.sessionCount + 1 });
      default:
        return row;
    }
  },
};

/** Every message of every attempt, in log order: the conversation as it accumulated across sessions. */
export const attemptMessagesProjection: Projection<AttemptMessageRow> = {
  name: 'attempt_messages',
  version: 1,
  entity: AttemptMessageRowEntity,
  keysOf: (event) => (event.type === 'task.attempt_message_added' ? [event.id] : []),
  evolve(row, event) {
    if (event.type !== 'task.attempt_message_added') return row;
    return (
      row ?? {
        id: event.id,
        taskId: event.aggregate.id,
        attemptId: event.data.attemptId,
        role: event.data.role,
        kind: event.data.kind,
        text: event.data.text,
        sessionId: event.data.sessionId,
        at: event.occurredAt,
        seq: event.position.seq,
      }
    );
  },
};
