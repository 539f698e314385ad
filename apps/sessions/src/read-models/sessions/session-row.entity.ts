import { EntitySchema } from 'typeorm';
import type { LabelsMap, QueueItemStatus, SessionOrigin, SessionRole, SessionStatus, SessionStrategy } from '@baton/events';

export interface SessionRow {
  id: string;
  projectId: string;
  templateId: string;
  templateVersion: number;
  templateName: string;
  kind: 'agent' | 'command';
  name: string;
  role: SessionRole;
  strategy: SessionStrategy;
  attemptId: string | null;
  taskIds: string[];
  parentSessionId: string | null;
  origin: SessionOrigin;
  status: SessionStatus;
  statusReason: string;
  statusSince: string;
  /** `waiting_quota`: when the limit lifts; `pending`: not placed before. */
  until: string | null;
  /** Stream sequence at which it last became pending: the queue's order. Null unless pending. */
  pendingSeq: number | null;
  runnerId: string | null;
  /** The runner it ran on last (its worktree is there). */
  lastRunnerId: string | null;
  /** Every runner it was placed on, oldest first: its terminal output comes from these only. */
  runnerIds: string[];
  /** Template's runner labels merged with the request's: what the scheduler matches. */
  runnerLabels: LabelsMap;
  ready: boolean;
  restarts: number;
  runs: number;
  exitCode: number | null;
  endedAt: string | null;
  endedReason: string | null;
  items: { taskId: string; status: QueueItemStatus }[];
  workerCount: number;
  timelineCount: number;
  lastTimelineAt: string | null;
  lastMessage: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  createdAt: string;
  updatedAt: string;
  eventCount: number;
  lastSeq: number;
}

const bigint = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

export const SessionRowEntity = new EntitySchema<SessionRow>({
  name: 'SessionRow',
  tableName: 'sessions',
  columns: {
    id: { type: 'text', primary: true },
    projectId: { type: 'text', name: 'project_id' },
    templateId: { type: 'text', name: 'template_id' },
    templateVersion: { type: 'integer', name: 'template_version' },
    templateName: { type: 'text', name: 'template_name' },
    kind: { type: 'text' },
    name: { type: 'text' },
    role: { type: 'text' },
    strategy: { type: 'text' },
    attemptId: { type: 'text', name: 'attempt_id', nullable: true },
    taskIds: { type: 'jsonb', name: 'task_ids' },
    parentSessionId: { type: 'text', name: 'parent_session_id', nullable: true },
    origin: { type: 'jsonb' },
    status: { type: 'text' },
    statusReason: { type: 'text', name: 'status_reason' },
    statusSince: { type: 'text', name: 'status_since' },
    until: { type: 'text', nullable: true },
    pendingSeq: { type: 'bigint', name: 'pending_seq', nullable: true, transformer: bigint },
    runnerId: { type: 'text', name: 'runner_id', nullable: true },
    lastRunnerId: { type: 'text', name: 'last_runner_id', nullable: true },
    runnerIds: { type: 'jsonb', name: 'runner_ids' },
    runnerLabels: { type: 'jsonb', name: 'runner_labels' },
    ready: { type: 'boolean' },
    restarts: { type: 'integer' },
    runs: { type: 'integer' },
    exitCode: { type: 'integer', name: 'exit_code', nullable: true },
    endedAt: { type: 'text', name: 'ended_at', nullable: true },
    endedReason: { type: 'text', name: 'ended_reason', nullable: true },
    items: { type: 'jsonb' },
    workerCount: { type: 'integer', name: 'worker_count' },
    timelineCount: { type: 'integer', name: 'timeline_count' },
    lastTimelineAt: { type: 'text', name: 'last_timeline_at', nullable: true },
    lastMessage: { type: 'text', name: 'last_message', nullable: true },
    inputTokens: { type: 'bigint', name: 'input_tokens', transformer: bigint },
    outputTokens: { type: 'bigint', name: 'output_tokens', transformer: bigint },
    cacheReadTokens: { type: 'bigint', name: 'cache_read_tokens', transformer: bigint },
    cacheWriteTokens: { type: 'bigint', name: 'cache_write_tokens', transformer: bigint },
    costUsd: { type: 'double precision', name: 'cost_usd' },
    createdAt: { type: 'text', name: 'created_at' },
    updatedAt: { type: 'text', name: 'updated_at' },
    eventCount: { type: 'integer', name: 'event_count' },
    lastSeq: { type: 'bigint', name: 'last_seq', transformer: bigint },
  },
});
