import type { AutopilotStatus, MergeTrainStatus } from '@baton/contracts';
import { api, command, read } from '../../../api/http';

export const autopilotApi = {
  status: (projectId: string, signal?: AbortSignal) => read<AutopilotStatus>(api`/api/projects/${projectId}/autopilot`, {}, signal),
  configure: (projectId: string, settings: Record<string, unknown>) => command('PATCH', api`/api/projects/${projectId}/autopilot`, settings),
  pause: (projectId: string, stopAll: boolean) => command('POST', api`/api/projects/${projectId}/autopilot/pause`, { reason: stopAll ? 'stopped from the console' : 'paused from the console', stopAll }),
  resume: (projectId: string) => command('POST', api`/api/projects/${projectId}/autopilot/resume`, {}),
  decompose: (taskId: string) => command('POST', api`/api/tasks/${taskId}/decompose`, {}),
  reviewPlan: (taskId: string, accept: boolean) => command('POST', api`/api/tasks/${taskId}/plan/review`, { accept, reason: accept ? 'accepted from the console' : 'rejected from the console' }),
  mergeTrain: (projectId: string, signal?: AbortSignal) => read<MergeTrainStatus>(api`/api/projects/${projectId}/merge-train`, {}, signal),
  configureMergeTrain: (projectId: string, settings: Record<string, unknown>) => command('PATCH', api`/api/projects/${projectId}/merge-train`, settings),
  merge: (taskId: string) => command('POST', api`/api/tasks/${taskId}/autopilot-merge`, {}),
};
