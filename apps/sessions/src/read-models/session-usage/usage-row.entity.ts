import { EntitySchema } from 'typeorm';

/** Usage of one session for one task (`<sessionId>:<taskId | ->`): what roll-ups sum. */
export interface UsageRow {
  id: string;
  sessionId: string;
  projectId: string;
  attemptId: string | null;
  taskId: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  reports: number;
  lastAt: string;
}

const bigint = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const UsageRowEntity = new EntitySchema<UsageRow>({
  name: 'UsageRow',
  tableName: 'session_usage',
  columns: {
    id: { type: 'text', primary: true },
    sessionId: { type: 'text', name: 'session_id' },
    projectId: { type: 'text', name: 'project_id' },
    attemptId: { type: 'text', name: 'attempt_id', nullable: true },
    taskId: { type: 'text', name: 'task_id', nullable: true },
    inputTokens: { type: 'bigint', name: 'input_tokens', transformer: bigint },
    outputTokens: { type: 'bigint', name: 'output_tokens', transformer: bigint },
    cacheReadTokens: { type: 'bigint', name: 'cache_read_tokens', transformer: bigint },
    cacheWriteTokens: { type: 'bigint', name: 'cache_write_tokens', transformer: bigint },
    costUsd: { type: 'double precision', name: 'cost_usd' },
    reports: { type: 'integer' },
    lastAt: { type: 'text', name: 'last_at' },
  },
});
