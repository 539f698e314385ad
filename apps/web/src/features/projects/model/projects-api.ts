import { consistency } from '../../../api/consistency';
import { http } from '../../../api/http';
import type { CommandAccepted, CreateProjectRequest, Page, ProjectStatus, ProjectView } from '../../../api/types';

export interface ListProjectsParams {
  status?: Exclude<ProjectStatus, 'deleted'>;
  limit?: number;
  offset?: number;
}

export const projectsApi = {
  list(params: ListProjectsParams = {}, signal?: AbortSignal): Promise<Page<ProjectView>> {
    return http.get('/api/projects', { query: { ...params, minSeq: consistency.minSeq || undefined }, signal });
  },

  get(id: string, signal?: AbortSignal): Promise<ProjectView> {
    return http.get(`/api/projects/${encodeURIComponent(id)}`, { query: { minSeq: consistency.minSeq || undefined }, signal });
  },

  /** Creates, then remembers the sequence so the next reads include the new project. */
  async create(body: CreateProjectRequest, idempotencyKey?: string): Promise<CommandAccepted> {
    const accepted = await http.post<CommandAccepted>('/api/projects', body, { headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
    consistency.observe(accepted.seq);
    return accepted;
  },
};
