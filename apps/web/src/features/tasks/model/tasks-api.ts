import type { AttemptMessage, AttemptView, CommandAccepted, CreateTaskRequest, Page, TaskUnblocks, TaskView } from '@baton/contracts';
import { api, command, read } from '../../../api/http';

export type TaskVerb = 'complete' | 'fail' | 'cancel' | 'reopen';

export interface EditTaskBody {
  title?: string;
  description?: string;
  acceptanceCriteria?: string[];
  priority?: number;
  labels?: string[];
  executionMode?: 'interactive' | 'autonomous';
}

const PAGE = 1_000;

export const tasksApi = {
  /** Every task of the project (pages of 1000). */
  async all(projectId: string, minSeq = 0, signal?: AbortSignal): Promise<TaskView[]> {
    const out: TaskView[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await read<Page<TaskView>>(api`/api/projects/${projectId}/tasks`, { limit: PAGE, offset, minSeq }, signal);
      out.push(...page.items);
      if (out.length >= page.total || page.items.length === 0) return out;
    }
  },
  get: (id: string, minSeq = 0, signal?: AbortSignal) => read<TaskView>(api`/api/tasks/${id}`, { minSeq }, signal),
  create: (projectId: string, body: CreateTaskRequest, key?: string) => command('POST', api`/api/projects/${projectId}/tasks`, body, key),
  edit: (id: string, body: EditTaskBody, key?: string) => command('PATCH', api`/api/tasks/${id}`, body, key),
  verb: (id: string, verb: TaskVerb, reason?: string) => command('POST', api`/api/tasks/${id}/${verb}`, verb === 'fail' ? { reason: reason ?? '' } : reason ? { reason } : undefined),
  addDependency: (id: string, dependsOnTaskId: string, condition: 'success' | 'any' | 'failure' = 'success') =>
    command('POST', api`/api/tasks/${id}/dependencies`, { dependsOnTaskId, condition }),
  removeDependency: (id: string, dependsOnId: string) => command('DELETE', api`/api/tasks/${id}/dependencies/${dependsOnId}`),
  move: (id: string, parentId: string | null) => command('POST', api`/api/tasks/${id}/move`, { parentId }),
  remove: (id: string) => command('DELETE', api`/api/tasks/${id}`),
  unblocks: (id: string, minSeq = 0, signal?: AbortSignal) => read<TaskUnblocks>(api`/api/tasks/${id}/unblocks`, { minSeq }, signal),
  attempts: (id: string, minSeq = 0, signal?: AbortSignal) => read<Page<AttemptView>>(api`/api/tasks/${id}/attempts`, { minSeq, limit: 500 }, signal),
  attempt: (id: string, minSeq = 0, signal?: AbortSignal) => read<AttemptView>(api`/api/attempts/${id}`, { minSeq }, signal),
  messages: (attemptId: string, minSeq = 0, signal?: AbortSignal) =>
    read<{ items: AttemptMessage[]; nextAfterSeq: number }>(api`/api/attempts/${attemptId}/messages`, { minSeq, limit: 1_000 }, signal),
  startAttempt: (id: string, body: { sessionTemplateId?: string | null; supersede?: boolean; ignoreDependencies?: boolean } = {}) =>
    command<CommandAccepted>('POST', api`/api/tasks/${id}/attempts`, body),
  finishAttempt: (attemptId: string, outcome: 'merged' | 'abandoned' | 'superseded', reason?: string) =>
    command('POST', api`/api/attempts/${attemptId}/finish`, reason ? { outcome, reason } : { outcome }),
  requestReview: (attemptId: string, summary?: string) => command('POST', api`/api/attempts/${attemptId}/review`, summary ? { summary } : undefined),
  requestChanges: (attemptId: string, comment?: string) => command('POST', api`/api/attempts/${attemptId}/changes`, comment ? { comment } : undefined),
  addMessage: (attemptId: string, text: string) => command('POST', api`/api/attempts/${attemptId}/messages`, { text }),
};
