/*
 * What the CLI reads of the sessions API. Kept loose on purpose (only the fields the CLI
 * prints or acts on): the gateway's contract may carry more.
 */

export interface QueueItemView {
  taskId: string;
  status: string;
}

export interface SessionView {
  id: string;
  projectId: string;
  templateId: string;
  name: string;
  role: string;
  strategy: string;
  status: string;
  statusReason?: string;
  attemptId: string | null;
  taskIds: string[];
  parentSessionId: string | null;
  runnerId?: string | null;
  items?: QueueItemView[];
  workerCount?: number;
  lastMessage?: string | null;
  usage?: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costUsd: number };
  createdAt?: string;
  updatedAt?: string;
  endedAt?: string | null;
  endedReason?: string | null;
}

export interface TimelineEntry {
  id: string;
  seq: number;
  at: string;
  kind: string;
  message: string;
  taskId: string | null;
  progress: number | null;
  source?: string | null;
  workerId?: string | null;
  metadata?: Record<string, unknown>;
}

export interface TimelinePage {
  items: TimelineEntry[];
  nextAfterSeq: number;
}

/** A task as `queue next` hands it out. */
export interface QueueTask {
  id: string;
  title: string;
  description: string;
  acceptanceCriteria: string[];
}

export interface SessionExport {
  sessionId: string;
  format: string;
  fileName: string;
  content: string;
  truncated: boolean;
}

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'stopped', 'succeeded', 'exited']);
export const isFinal = (status: string) => FINAL_STATUSES.has(status);
