import { EntitySchema } from 'typeorm';
import type { AttemptOutcome } from '@baton/events';

export type AttemptRowStatus = 'active' | 'in_review' | AttemptOutcome;

export interface AttemptRow {
  id: string;
  taskId: string;
  projectId: string;
  /** 1 for the task's first attempt. */
  number: number;
  branch: string;
  baseBranch: string;
  baseCommit: string | null;
  worktreePath: string | null;
  runnerId: string | null;
  promptVersionId: string | null;
  sessionTemplateId: string | null;
  status: AttemptRowStatus;
  finishReason: string | null;
  startedAt: string;
  finishedAt: string | null;
  messageCount: number;
  sessionCount: number;
  lastMessageAt: string | null;
  eventCount: number;
  lastSeq: number;
}

export interface AttemptMessageRow {
  /** The event's id: a message is one event. */
  id: string;
  taskId: string;
  attemptId: string;
  role: 'user' | 'agent' | 'system';
  kind: 'prompt' | 'follow_up' | 'reply' | 'review_comment' | 'note';
  text: string;
  sessionId: string | null;
  at: string;
  /** Stream sequence: the conversation's order. */
  seq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const AttemptRowEntity = new EntitySchema<AttemptRow>({
  name: 'AttemptRow',
  tableName: 'attempts',
  columns: {
    id: { type: 'text', primary: true },
    taskId: { type: 'text', name: 'task_id' },
    projectId: { type: 'text', name: 'project_id' },
    number: { type: 'integer' },
    branch: { type: 'text' },
    baseBranch: { type: 'text', name: 'base_branch' },
    baseCommit: { type: 'text', name: 'base_commit', nullable: true },
    worktreePath: { type: 'text', name: 'worktree_path', nullable: true },
    runnerId: { type: 'text', name: 'runner_id', nullable: true },
    promptVersionId: { type: 'text', name: 'prompt_version_id', nullable: true },
    sessionTemplateId: { type: 'text', name: 'session_template_id', nullable: true },
    status: { type: 'text' },
    finishReason: { type: 'text', name: 'finish_reason', nullable: true },
    startedAt: { type: 'text', name: 'started_at' },
    finishedAt: { type: 'text', name: 'finished_at', nullable: true },
    messageCount: { type: 'integer', name: 'message_count' },
    sessionCount: { type: 'integer', name: 'session_count' },
    lastMessageAt: { type: 'text', name: 'last_message_at', nullable: true },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});

export const AttemptMessageRowEntity = new EntitySchema<AttemptMessageRow>({
  name: 'AttemptMessageRow',
  tableName: 'attempt_messages',
  columns: {
    id: { type: 'text', primary: true },
    taskId: { type: 'text', name: 'task_id' },
    attemptId: { type: 'text', name: 'attempt_id' },
    role: { type: 'text' },
    kind: { type: 'text' },
    text: { type: 'text' },
    sessionId: { type: 'text', name: 'session_id', nullable: true },
    at: { type: 'text' },
    seq: { type: 'bigint', transformer: bigint },
  },
});
