import { EventStore, QueryError, type QueryClient } from '@baton/event-store';
import type { SessionView } from '@baton/contracts';
import type { TaskLocator } from '../tasks/task-locator';

const MAX_ENTRIES = 100_000;

/** What a route names, and so where its project is found. */
export type Owned = 'project' | 'task' | 'attempt' | 'session' | 'session template' | 'prompt template' | 'prompt version';

export class NotFound extends Error {
  constructor(
    readonly what: Owned,
    readonly id: string,
  ) {
    super(`${what} ${id} does not exist`);
  }
}

/**
 * The project a task, attempt, session or template belongs to (null: an installation-wide
 * template). None of them ever changes project, so answers are kept. Throws NotFound for
 * something that does not exist.
 */
export class ProjectFinder {
  private readonly known = new Map<string, string | null>();

  constructor(
    private readonly queries: Pick<QueryClient, 'ask'>,
    private readonly tasks: TaskLocator,
    private readonly store: EventStore,
  ) {}

  async projectOf(what: Owned, id: string, minSeq = 0): Promise<string | null> {
    if (what === 'project') return id;
    const key = `${what}:${id}`;
    const hit = this.known.get(key);
    if (hit !== undefined) return hit;
    const found = await this.lookUp(what, id, minSeq).catch((e: unknown) => {
      if (e instanceof QueryError && e.code === 'not_found') throw new NotFound(what, id);
      throw e;
    });
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(key, found);
    return found;
  }

  private async lookUp(what: Exclude<Owned, 'project'>, id: string, minSeq: number): Promise<string | null> {
    switch (what) {
      case 'task':
        return this.tasks.projectOf(id, minSeq);
      case 'attempt':
        return (await this.tasks.attempt(id, minSeq)).projectId;
      case 'session':
        return (await this.queries.ask<SessionView>('sessions', 'get_session', { id }, { minSeq })).projectId;
      case 'prompt template':
        return (await this.queries.ask<{ projectId: string | null }>('tasks', 'get_prompt_template', { id }, { minSeq })).projectId;
      case 'prompt version': {
        const v = await this.queries.ask<{ templateId: string }>('tasks', 'get_prompt_version', { id }, { minSeq });
        return this.projectOf('prompt template', v.templateId, minSeq);
      }
      case 'session template':
        return this.sessionTemplate(id);
    }
  }

  /** Its first event names its project (null: every project's). One with no events is not found (built-ins are never changed). */
  private async sessionTemplate(id: string): Promise<string | null> {
    const aggregate = { type: 'session_template' as const, id };
    const last = await this.store.lastSeqOf(aggregate);
    if (last === 0) throw new NotFound('session template', id);
    for await (const e of this.store.read({ subject: this.store.subjectOf(aggregate), fromSeq: 1, toSeq: last })) {
      const projectId = (e.data as { projectId?: unknown }).projectId;
      return typeof projectId === 'string' ? projectId : null;
    }
    return null;
  }
}

