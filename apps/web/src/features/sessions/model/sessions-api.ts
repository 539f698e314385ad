import type { Page, SessionExport, SessionReplay, SessionView, TemplateView, TimelineEntry, UsageRollup } from '@baton/contracts';
import type { FollowUpAcceptedView, PendingQueueView } from '../../../api/types';
import { api, command, read } from '../../../api/http';

export const DEMO_AGENT_TEMPLATE = 'baton-demo-agent';

export const sessionsApi = {
  list: (query: { projectId?: string; taskId?: string; attemptId?: string; live?: boolean; limit?: number }, minSeq = 0, signal?: AbortSignal) =>
    read<Page<SessionView>>('/api/sessions', { limit: 500, ...query, live: query.live === undefined ? undefined : String(query.live), minSeq }, signal),
  get: (id: string, minSeq = 0, signal?: AbortSignal) => read<SessionView>(api`/api/sessions/${id}`, { minSeq }, signal),
  timeline: (id: string, query: { until?: string; afterSeq?: number } = {}, minSeq = 0, signal?: AbortSignal) =>
    read<{ items: TimelineEntry[]; nextAfterSeq: number }>(api`/api/sessions/${id}/timeline`, { limit: 5_000, ...query, minSeq }, signal),
  replay: (id: string, until?: string, signal?: AbortSignal) => read<SessionReplay>(api`/api/sessions/${id}/replay`, { until }, signal),
  exportCast: (id: string, signal?: AbortSignal) => read<SessionExport>(api`/api/sessions/${id}/export`, { format: 'cast' }, signal),
  templates: (projectId: string, signal?: AbortSignal) => read<TemplateView[]>(api`/api/projects/${projectId}/session-templates`, {}, signal),
  pending: (projectId?: string, signal?: AbortSignal) => read<PendingQueueView>('/api/pending-sessions', { projectId }, signal),
  usage: (projectId: string, query: { taskId?: string; attemptId?: string; sessionId?: string } = {}, signal?: AbortSignal) =>
    read<UsageRollup>(api`/api/projects/${projectId}/usage`, query, signal),
  stop: (id: string, reason = 'stopped from the console') => command('POST', api`/api/sessions/${id}/stop`, { reason }),
  input: (id: string, text: string, kind: 'text' | 'prompt' | 'follow_up' | 'interrupt' = 'text') => command('POST', api`/api/sessions/${id}/input`, { text, kind }),
  spawnInAttempt: (attemptId: string, templateId: string, prompt?: string) =>
    command('POST', api`/api/attempts/${attemptId}/sessions`, prompt ? { templateId, prompt } : { templateId }),
  spawnInProject: (projectId: string, body: { templateId: string; taskIds?: string[]; name?: string; prompt?: string | null }) =>
    command('POST', api`/api/projects/${projectId}/sessions`, body),
  followUp: (attemptId: string, text: string, templateId: string | null) =>
    command<FollowUpAcceptedView>('POST', api`/api/attempts/${attemptId}/follow-up`, { text, templateId }),
};
