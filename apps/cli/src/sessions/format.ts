import { safeText } from '@baton/contracts';
import { formatRecord, formatTable } from '../output';
import { progressBar } from './progress';
import type { SessionView, TimelineEntry } from './session-views';

const SHOW_FIELDS = ['id', 'name', 'status', 'statusReason', 'role', 'strategy', 'templateId', 'projectId', 'attemptId', 'taskIds', 'parentSessionId', 'workerCount', 'runnerId', 'lastMessage', 'usage', 'createdAt', 'updatedAt', 'endedAt', 'endedReason'];

const usageText = (u: SessionView['usage']) =>
  u ? `${u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens} tokens (${u.inputTokens} in, ${u.outputTokens} out), $${u.costUsd.toFixed(4)}` : undefined;

export function formatSession(s: SessionView): string {
  const items = s.items?.length ? `\nQueue:\n${s.items.map((i) => `  ${i.status.padEnd(10)} ${i.taskId}`).join('\n')}\n` : '';
  return formatRecord({ ...s, usage: usageText(s.usage) }, SHOW_FIELDS) + items;
}

export function formatSessionList(items: readonly SessionView[]): string {
  return formatTable(
    items.map((s) => ({ ...s, tasks: s.taskIds, parent: s.parentSessionId })),
    ['id', 'status', 'role', 'templateId', 'name', 'tasks', 'parent', 'updatedAt'],
  );
}

/** `12:03:04  progress      [██████░░░░]  60%  wrote the parser  (task T1)`: one line, no control in it. */
export function formatTimelineEntry(e: TimelineEntry): string {
  const time = /T(\d\d:\d\d:\d\d)/.exec(e.at)?.[1] ?? e.at;
  const bar = e.kind === 'progress' && e.progress !== null ? `${progressBar(e.progress, 10)}  ` : '';
  const task = e.taskId ? `  (task ${e.taskId})` : '';
  const worker = e.workerId ? `  (worker ${e.workerId})` : '';
  return safeText(`${time}  ${e.kind.padEnd(15)} ${bar}${e.message.trim()}${task}${worker}`).trimEnd();
}

export function formatTimeline(items: readonly TimelineEntry[]): string {
  return items.length ? `${items.map(formatTimelineEntry).join('\n')}\n` : '(no timeline entries)\n';
}

