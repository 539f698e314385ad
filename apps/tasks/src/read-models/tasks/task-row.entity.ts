import { EntitySchema } from 'typeorm';
import type { BlockingDependency, Dependency, ExecutionMode, TaskStatus } from '@baton/events';

export interface TaskRow {
  id: string;
  projectId: string;
  number: number;
  parentId: string | null;
  title: string;
  description: string;
  acceptanceCriteria: string[];
  priority: number;
  labels: string[];
  executionMode: ExecutionMode;
  status: TaskStatus;
  /** Why it is blocked; null unless `status` is `blocked`. */
  blockedBy: BlockingDependency[] | null;
  dependsOn: Dependency[];
  /** Tasks whose own dependencies name this one. */
  dependants: string[];
  childCount: number;
  activeAttemptId: string | null;
  attemptCount: number;
  sessionCount: number;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
  /** First time it went in progress. */
  startedAt: string | null;
  /** When it last became done; null while it is not done. */
  doneAt: string | null;
  /** When it last became done, failed or cancelled; null while it is not finished. */
  finishedAt: string | null;
  eventCount: number;
  lastSeq: number;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const TaskRowEntity = new EntitySchema<TaskRow>({
  name: 'TaskRow',
  tableName: 'tasks',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id' },
    number: { type: 'integer' },
    parentId: { type: 'text', name: 'parent_id', nullable: true },
    title: { type: 'text' },
    description: { type: 'text' },
    acceptanceCriteria: { type: 'jsonb', name: 'acceptance_criteria' },
    priority: { type: 'integer' },
    labels: { type: 'jsonb' },
    executionMode: { type: 'text', name: 'execution_mode' },
    status: { type: 'text' },
    blockedBy: { type: 'jsonb', name: 'blocked_by', nullable: true },
    dependsOn: { type: 'jsonb', name: 'depends_on' },
    dependants: { type: 'jsonb' },
    childCount: { type: 'integer', name: 'child_count' },
    activeAttemptId: { type: 'text', name: 'active_attempt_id', nullable: true },
    attemptCount: { type: 'integer', name: 'attempt_count' },
    sessionCount: { type: 'integer', name: 'session_count' },
    messageCount: { type: 'integer', name: 'message_count' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    startedAt: { type: 'text', name: 'started_at', nullable: true },
    doneAt: { type: 'text', name: 'done_at', nullable: true },
    finishedAt: { type: 'text', name: 'finished_at', nullable: true },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
