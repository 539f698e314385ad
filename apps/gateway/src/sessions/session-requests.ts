import { Inject, Injectable } from '@nestjs/common';
import { isFinalStatus, type TemplateSnapshot } from '@baton/events';
import { QueryClient, QueryError } from '@baton/event-store';
import type { AttemptView, ProjectView, SessionView, TaskView } from '@baton/contracts';
import { ApiError } from '../http/api-error';

/**
 * What a spawn needs before its command goes out, each looked up once: the project (it must
 * be active), the tasks (they must be the project's), the parent, and the template — resolved
 * to the version the session will run (decision 0005: the command carries it).
 */
@Injectable()
export class SessionRequests {
  constructor(@Inject(QueryClient) private readonly queries: QueryClient) {}

  async activeProject(projectId: string, minSeq: number): Promise<ProjectView> {
    const project = await this.queries.ask<ProjectView>('tasks', 'get_project', { id: projectId }, { minSeq });
    if (project.status !== 'active') throw new ApiError(422, 'invalid_state', `project ${projectId} is ${project.status}`, { details: { projectId, status: project.status } });
    return project;
  }

  /**
   * Refuses (400, naming the item) a task that is not the project's: one that does not exist and
   * one of another project get the same answer, which says nothing about other projects (decision 0023).
   */
  async tasksOf(projectId: string, taskIds: readonly string[], minSeq: number, field = 'taskIds'): Promise<void> {
    if (!taskIds.length) return;
    const found = await this.queries.ask<TaskView[]>('tasks', 'get_tasks', { ids: taskIds }, { minSeq });
    const byId = new Map(found.map((t) => [t.id, t]));
    const fields = taskIds.flatMap((id, i) => (byId.get(id)?.projectId === projectId ? [] : [{ path: `${field}[${i}]`, message: `task ${id} is not a task of project ${projectId}` }]));
    if (fields.length) throw ApiError.validation(fields);
  }

  async parentIn(projectId: string, parentSessionId: string | null, minSeq: number): Promise<SessionView | null> {
    if (!parentSessionId) return null;
    const parent = await this.queries.ask<SessionView>('sessions', 'get_session', { id: parentSessionId }, { minSeq }).catch((e: unknown) => {
      if (e instanceof QueryError && e.code === 'not_found') return null;
      throw e;
    });
    // Missing or another project's: the same answer (decision 0023).
    if (parent?.projectId !== projectId) throw ApiError.validation([{ path: 'parentSessionId', message: `session ${parentSessionId} is not a session of project ${projectId}` }]);
    return parent;
  }

  /** A session that has not ended (a worker's parent). */
  async sessionLive(sessionId: string, minSeq: number): Promise<SessionView> {
    const session = await this.queries.ask<SessionView>('sessions', 'get_session', { id: sessionId }, { minSeq });
    if (isFinalStatus(session.status)) throw new ApiError(422, 'invalid_state', `session ${sessionId} has ended (${session.status})`, { details: { sessionId, status: session.status } });
    return session;
  }

  async template(templateId: string, projectId: string, minSeq: number): Promise<TemplateSnapshot> {
    const t = await this.queries.ask<TemplateSnapshot & { templateId: string }>('sessions', 'get_session_template', { id: templateId, projectId }, { minSeq });
    return { version: t.version, builtIn: t.builtIn, spec: t.spec };
  }

  /** An attempt that can still take a session (active or in review). */
  async openAttempt(attemptId: string, minSeq: number): Promise<AttemptView> {
    const attempt = await this.queries.ask<AttemptView>('tasks', 'get_attempt', { id: attemptId }, { minSeq });
    if (attempt.status !== 'active' && attempt.status !== 'in_review') {
      throw new ApiError(422, 'invalid_state', `attempt ${attemptId} is ${attempt.status}: start a new attempt`, { details: { attemptId, status: attempt.status } });
    }
    return attempt;
  }
}
