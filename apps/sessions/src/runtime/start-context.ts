import { claimsForSession } from '@baton/events';
import { QueryError, type QueryClient } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { signAgentToken } from '../launch/agent-token';
import type { ManifestTask } from '../launch/manifest';
import type { StartContext } from '../launch/runner-messages';
import { ProjectSettingsRowEntity } from '../read-models/session-projects/project-settings-row.entity';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';
import type { SessionState } from '../session/session.state';

/** A start that can never be built (unknown project, attempt or task): the session fails with this reason. */
export class PermanentStartError extends Error {
  override readonly name = 'PermanentStartError';
}

interface TaskView {
  id: string;
  title: string;
  description: string;
  acceptanceCriteria: string[];
}
interface AttemptView {
  id: string;
  taskId: string;
  number: number;
  branch: string;
  baseBranch: string;
}
interface AttemptMessage {
  kind: string;
  text: string;
}

export const TERMINAL_SIZE = { cols: 120, rows: 36 } as const;

/**
 * A hint for BATON_PORT, the same for a session wherever it runs. The runner owns the ports
 * of its machine and replaces it with one it knows is free (apps/runner PortAllocator).
 */
export function portHint(sessionId: string, from = 20_000, size = 10_000): number {
  let h = 2166136261;
  for (let i = 0; i < sessionId.length; i++) h = Math.imul(h ^ sessionId.charCodeAt(i), 16777619);
  return from + ((h >>> 0) % size);
}

/**
 * What `buildRunnerStart` needs beyond the session's own events: the project (own read
 * model), tasks, attempt and the attempt's prompt (the tasks service, asked at the event's
 * sequence so it has caught up), the parent's name, and a token scoped to this session.
 */
export class StartContextLoader {
  constructor(
    private readonly deps: { read: ReadSide; queries: QueryClient; secret: () => Promise<string>; apiUrl: string; tokenTtlMs?: number; queryTimeoutMs?: number },
  ) {}

  async load(sessionId: string, state: SessionState, atSeq: number, now: string): Promise<StartContext> {
    const facts = state.facts!;
    const { read } = this.deps;
    await read.waitFor(atSeq);
    const project = await read.db.getRepository(ProjectSettingsRowEntity).findOneBy({ id: facts.projectId });
    if (!project) throw new PermanentStartError(`project ${facts.projectId} is unknown to the sessions service`);
    const tasks = facts.taskIds.length ? await this.tasks(facts.taskIds, atSeq) : [];
    const attempt = facts.attemptId ? await this.ask<AttemptView>('get_attempt', { id: facts.attemptId }, atSeq, `attempt ${facts.attemptId}`) : null;
    const prompt = facts.prompt ?? (facts.attemptId ? await this.attemptPrompt(facts.attemptId, atSeq) : null);
    const parentRow = facts.parentSessionId ? await read.db.getRepository(SessionRowEntity).findOneBy({ id: facts.parentSessionId }) : null;
    const claims = claimsForSession(sessionId, {
      projectId: facts.projectId,
      attemptId: facts.attemptId,
      taskIds: facts.taskIds,
      role: facts.role,
      parentSessionId: facts.parentSessionId,
    });
    return {
      sessionId,
      repository: { location: project.repositoryLocation, defaultBranch: project.defaultBranch },
      projectName: project.name,
      projectEnv: project.env,
      attempt: attempt ? { taskId: attempt.taskId, branch: attempt.branch, baseBranch: attempt.baseBranch, number: attempt.number } : null,
      tasks,
      parent: facts.parentSessionId ? { id: facts.parentSessionId, name: parentRow ? parentRow.name || parentRow.templateName : '' } : null,
      prompt,
      apiUrl: this.deps.apiUrl,
      token: signAgentToken(claims, await this.deps.secret(), now, this.deps.tokenTtlMs),
      port: portHint(sessionId),
      size: { ...TERMINAL_SIZE },
    };
  }

  private async tasks(ids: string[], atSeq: number): Promise<ManifestTask[]> {
    const rows = await this.ask<TaskView[]>('get_tasks', { ids }, atSeq, `tasks ${ids.join(', ')}`);
    const byId = new Map(rows.map((t) => [t.id, t]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw new PermanentStartError(`task ${missing[0]} does not exist`);
    return ids.map((id) => {
      const t = byId.get(id)!;
      return { id, title: t.title, description: t.description, acceptanceCriteria: t.acceptanceCriteria };
    });
  }

  /** The attempt conversation's first prompt (a follow-up session carries its own). */
  private async attemptPrompt(attemptId: string, atSeq: number): Promise<string | null> {
    const page = await this.ask<{ items: AttemptMessage[] }>('list_attempt_messages', { attemptId, limit: 50 }, atSeq, `attempt ${attemptId}'s messages`);
    return page.items.find((m) => m.kind === 'prompt')?.text ?? null;
  }

  /** `not_found` / `validation` are permanent; everything else (unavailable, timeouts) is retried. */
  private async ask<T>(query: string, params: unknown, atSeq: number, what: string): Promise<T> {
    try {
      return await this.deps.queries.ask<T>('tasks', query, params, { minSeq: atSeq, timeoutMs: this.deps.queryTimeoutMs ?? 5_000 });
    } catch (e) {
      if (e instanceof QueryError && (e.code === 'not_found' || e.code === 'validation')) throw new PermanentStartError(`${what}: ${e.message}`);
      throw e;
    }
  }
}
