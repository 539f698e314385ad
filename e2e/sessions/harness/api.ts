import type { CommandAccepted, SessionView, TimelineEntry } from '@baton/contracts';
import { sleep } from '@baton/testing';

/** An HTTP answer that was not 2xx, with the body the gateway sent. */
export class ApiFailure extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} → ${status}: ${JSON.stringify(body)}`);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** The gateway's REST API with one bearer token (the namespace's admin, or an agent's). */
export class Api {
  /** Every command the test sent and the gateway accepted, with the events it answered. */
  readonly accepted: (CommandAccepted & { route: string })[] = [];
  /** The highest sequence a write of this client was answered with: `minSeq` to read its own writes. */
  lastSeq = 0;

  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async request<T>(method: string, path: string, opts: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    const qs = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const res = await fetch(`${this.url}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // text answer
    }
    return { status: res.status, body: body as T };
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const r = await this.request<T>('GET', path, { query });
    if (r.status >= 300) throw new ApiFailure('GET', path, r.status, r.body);
    return r.body;
  }

  /** A write; the answer is remembered when it is a `CommandAccepted`. */
  async post<T = CommandAccepted>(path: string, body: unknown = {}, query?: Query): Promise<T> {
    const r = await this.request<T>('POST', path, { body, query });
    if (r.status >= 300) throw new ApiFailure('POST', path, r.status, r.body);
    const b = r.body as unknown as Partial<CommandAccepted>;
    if (b && typeof b === 'object' && Array.isArray(b.events) && typeof b.commandId === 'string') {
      this.accepted.push({ ...(b as CommandAccepted), route: `POST ${path}` });
      this.lastSeq = Math.max(this.lastSeq, (b as CommandAccepted).seq);
    }
    return r.body;
  }

  // ---- the product's vocabulary, as an operator uses it

  async createProject(name: string, location: string, defaultBranch = 'main'): Promise<string> {
    return (await this.post('/api/projects', { name, repository: { location, defaultBranch } })).id;
  }

  async createTask(projectId: string, title: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (await this.post(`/api/projects/${projectId}/tasks`, { title, ...extra })).id;
  }

  /** Starts an attempt on the task and a session of `templateId` in it; answers both ids. */
  async startInAttempt(taskId: string, templateId: string, extra: Record<string, unknown> = {}): Promise<{ attemptId: string; sessionId: string }> {
    const attempt = await this.post(`/api/tasks/${taskId}/attempts`, {}, { minSeq: this.lastSeq });
    const session = await this.post(`/api/attempts/${attempt.id}/sessions`, { templateId, ...extra }, { minSeq: attempt.seq });
    return { attemptId: attempt.id, sessionId: session.id };
  }

  /** The gateway checks tasks and template in read models: `minSeq` (default: this client's last write) lets it see them. */
  async spawn(projectId: string, body: Record<string, unknown>, minSeq = this.lastSeq): Promise<string> {
    return (await this.post(`/api/projects/${projectId}/sessions`, body, { minSeq })).id;
  }

  /** Defines a project's template; answers its id and the sequence to read it back at. */
  async defineTemplate(projectId: string | null, spec: Record<string, unknown>): Promise<{ id: string; seq: number }> {
    const r = await this.post('/api/session-templates', { projectId, spec });
    return { id: r.id, seq: r.seq };
  }

  session(id: string): Promise<SessionView> {
    return this.get<SessionView>(`/api/sessions/${id}`);
  }

  /**
   * The session's timeline from its read model, at least as far as the log had it a moment
   * ago: the replay (built from the log alone) names the last entry's sequence, passed as
   * `minSeq`, so a timeline read right after a status change is never a projection behind.
   */
  async timeline(id: string): Promise<TimelineEntry[]> {
    const replay = await this.get<{ timeline: { seq: number }[] }>(`/api/sessions/${id}/replay`);
    const minSeq = replay.timeline.reduce((m, t) => Math.max(m, t.seq), 0);
    const out: TimelineEntry[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await this.get<{ items: TimelineEntry[]; nextAfterSeq: number }>(`/api/sessions/${id}/timeline`, { afterSeq, limit: 5_000, minSeq });
      out.push(...page.items);
      if (page.items.length < 5_000) return out;
      afterSeq = page.nextAfterSeq;
    }
  }

  /** Polls the session until `test` holds; fails at once (with its timeline) when it ended otherwise. */
  async waitSession(id: string, test: (s: SessionView) => boolean, timeoutMs: number, what = 'the session'): Promise<SessionView> {
    const deadline = Date.now() + timeoutMs;
    let last: SessionView | null = null;
    let why = '';
    for (;;) {
      try {
        last = await this.session(id);
        if (test(last)) return last;
        if (last.endedAt) {
          why = `it ended ${last.status}: ${last.endedReason ?? last.statusReason}`;
          break;
        }
      } catch (e) {
        why = String(e);
      }
      if (Date.now() > deadline) {
        why = `not within ${timeoutMs} ms${why ? ` (${why})` : ''}`;
        break;
      }
      await sleep(100);
    }
    const tl = await this.timeline(id).catch(() => []);
    throw new Error(
      `waiting for ${what} of session ${id}: ${why}\nlast seen: ${last ? `${last.status} (${last.statusReason})` : 'nothing'}\ntimeline:\n${tl.map((t) => `  ${t.at} ${t.kind} ${t.message}`).join('\n')}`,
    );
  }

  waitStatus(id: string, statuses: string[], timeoutMs: number): Promise<SessionView> {
    return this.waitSession(id, (s) => statuses.includes(s.status), timeoutMs, `status ${statuses.join('|')}`);
  }

  /** Waits for the session to end, whatever its final status. */
  waitEnded(id: string, timeoutMs: number): Promise<SessionView> {
    return this.waitSession(id, (s) => s.endedAt !== null, timeoutMs, 'the end');
  }
}

export const FINAL = ['completed', 'failed', 'stopped', 'succeeded', 'exited'];
