import { CliError, seg, type CommandAccepted, type Query } from '../api-client';
import type { Api } from '../context';
import { isFinal, type QueueTask, type SessionExport, type SessionView, type TimelinePage } from './session-views';

/** The gateway's session routes, in one place. */
export const sessionPaths = {
  collection: '/api/sessions',
  inProject: (projectId: string) => `/api/projects/${seg(projectId)}/sessions`,
  agentSelf: '/api/agents/me',
  one: (id: string) => `/api/sessions/${seg(id)}`,
  register: (id: string) => `/api/sessions/${seg(id)}/register`,
  status: (id: string) => `/api/sessions/${seg(id)}/status`,
  report: (id: string) => `/api/sessions/${seg(id)}/reports`,
  usage: (id: string) => `/api/sessions/${seg(id)}/usage`,
  queue: (id: string, verb: QueueVerb) => `/api/sessions/${seg(id)}/queue/${verb}`,
  stop: (id: string) => `/api/sessions/${seg(id)}/stop`,
  input: (id: string) => `/api/sessions/${seg(id)}/input`,
  permission: (id: string) => `/api/sessions/${seg(id)}/permission`,
  timeline: (id: string) => `/api/sessions/${seg(id)}/timeline`,
  export: (id: string) => `/api/sessions/${seg(id)}/export`,
  workers: (id: string) => `/api/sessions/${seg(id)}/workers`,
};

export const AGENT_STATUSES = ['working', 'idle', 'needs_input', 'completed', 'failed'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export const REPORT_KINDS = ['milestone', 'progress', 'task_started', 'task_completed', 'task_failed', 'task_skipped', 'task_blocked', 'needs_input', 'error'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type QueueVerb = 'next' | 'complete' | 'fail' | 'skip';
export type ExportFormat = 'cast' | 'md';

export interface Report {
  kind: ReportKind;
  message?: string;
  taskId?: string | null;
  progress?: number | null;
}

export interface UsageDelta {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costUsd?: number;
  model?: string | null;
}

export interface SpawnRequest {
  templateId: string;
  taskIds?: string[];
  strategy?: 'simple' | 'queue';
  name?: string;
  prompt?: string | null;
}
export interface SpawnSessionRequest extends SpawnRequest {
  role?: string;
  parentSessionId?: string | null;
}

/** What a session token says (GET /api/agents/me). */
export interface AgentSelf {
  sessionId: string;
  projectId: string;
  attemptId: string | null;
  taskIds: string[];
  role: string;
  parentSessionId: string | null;
  canSpawnWorkers: boolean;
}

export interface ListSessionsQuery {
  projectId?: string;
  status?: string;
  live?: boolean;
  parentSessionId?: string;
  taskId?: string;
  limit?: number;
  offset?: number;
  minSeq?: number;
}

/** What `queue next` got: a task, or nothing left. */
export type NextResult = { task: QueueTask; accepted: unknown } | { task: null; reason: string; accepted: unknown };

/** Resend-safe writes: the same key on a retry makes the gateway answer the first result instead of doing it twice. */
const keyed = (key?: string) => (key ? { headers: { 'idempotency-key': key } } : {});

const clean = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The sessions API as operations: what `baton report|queue|session`, the MCP tools, the
 * Claude Code hooks and the demo agent all call.
 */
export class SessionApi {
  constructor(readonly api: Api) {}

  register(sessionId: string, agent: string | null = null, key?: string, conversationId: string | null = null): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.register(sessionId), clean({ agent: agent ?? undefined, conversationId: conversationId ?? undefined }), keyed(key));
  }

  status(sessionId: string, status: AgentStatus, message = '', key?: string): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.status(sessionId), clean({ status, message: message || undefined }), keyed(key));
  }

  report(sessionId: string, r: Report, key?: string): Promise<CommandAccepted> {
    const body = clean({ kind: r.kind, message: r.message || undefined, taskId: r.taskId ?? undefined, progress: r.progress ?? undefined });
    return this.api.post(sessionPaths.report(sessionId), body, keyed(key));
  }

  usage(sessionId: string, u: UsageDelta, key?: string): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.usage(sessionId), clean({ ...u, model: u.model ?? undefined }), keyed(key));
  }

  queue(sessionId: string, verb: Exclude<QueueVerb, 'next'>, body: { taskId?: string | null; message?: string; reason?: string }, key?: string): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.queue(sessionId, verb), clean({ taskId: body.taskId ?? undefined, message: body.message, reason: body.reason }), keyed(key));
  }

  /**
   * Takes the next queued task. The answer may carry the task itself; otherwise the
   * session (read at the write's sequence) says which item is now processing. Nothing
   * left — or the session already ended because its queue drained — is `task: null`.
   */
  async queueNext(sessionId: string, known: (taskId: string) => QueueTask | undefined = () => undefined): Promise<NextResult> {
    let accepted: unknown;
    try {
      accepted = await this.api.post<unknown>(sessionPaths.queue(sessionId, 'next'), {});
    } catch (e) {
      if (e instanceof CliError && (e.status === 409 || e.status === 422)) {
        const s = await this.get(sessionId).catch(() => null);
        if (s && isFinal(s.status)) return { task: null, reason: `session ${sessionId} is ${s.status}`, accepted: null };
      }
      throw e;
    }
    const given = taskFromAnswer(accepted);
    if (given !== undefined) return given ? { task: given, accepted } : { task: null, reason: 'the queue is empty', accepted };
    const seq = (accepted as { seq?: number } | undefined)?.seq;
    const s = await this.get(sessionId, seq);
    const processing = s.items?.find((i) => i.status === 'processing');
    if (!processing) return { task: null, reason: isFinal(s.status) ? `session ${sessionId} is ${s.status}` : 'the queue is empty', accepted };
    const id = processing.taskId;
    // A session token may not read tasks: the manifest (`known`) has them; else the id is all there is.
    const task = known(id) ?? (await this.task(id).catch((e: unknown) => {
      if (e instanceof CliError && (e.status === 403 || e.status === 404)) return { id, title: id, description: '', acceptanceCriteria: [] };
      throw e;
    }));
    return { task, accepted };
  }

  async task(taskId: string): Promise<QueueTask> {
    const t = await this.api.get<Partial<QueueTask> & { id: string }>(`/api/tasks/${seg(taskId)}`);
    return { id: t.id, title: t.title ?? taskId, description: t.description ?? '', acceptanceCriteria: t.acceptanceCriteria ?? [] };
  }

  /** A session in a project, outside any attempt (operators; an orchestrator, a plain command). */
  spawn(projectId: string, req: SpawnSessionRequest): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.inProject(projectId), clean({ ...req, prompt: req.prompt ?? undefined }));
  }

  /** A worker of `parentSessionId`: its child, in its project (an agent spawns its own). */
  spawnWorker(parentSessionId: string, req: SpawnRequest, key?: string): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.workers(parentSessionId), clean({ ...req, prompt: req.prompt ?? undefined }), keyed(key));
  }

  /** A session in an attempt: on its task, in its worktree (one running session per attempt). */
  spawnInAttempt(attemptId: string, req: Omit<SpawnSessionRequest, 'taskIds' | 'strategy'>): Promise<CommandAccepted> {
    return this.api.post(`/api/attempts/${seg(attemptId)}/sessions`, clean({ ...req, prompt: req.prompt ?? undefined }));
  }

  self(): Promise<AgentSelf> {
    return this.api.get<AgentSelf>(sessionPaths.agentSelf);
  }

  get(sessionId: string, minSeq?: number): Promise<SessionView> {
    return this.api.get<SessionView>(sessionPaths.one(sessionId), clean({ minSeq }) as Query);
  }

  list(q: ListSessionsQuery): Promise<{ items: SessionView[]; total: number }> {
    return this.api.get(sessionPaths.collection, clean({ ...q }) as Query);
  }

  stop(sessionId: string, body: { reason?: string; cascade?: boolean }): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.stop(sessionId), clean(body));
  }

  send(sessionId: string, body: { text: string; kind?: string }): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.input(sessionId), clean({ ...body }));
  }

  answerPermission(sessionId: string, decision: 'approve' | 'deny'): Promise<CommandAccepted> {
    return this.api.post(sessionPaths.permission(sessionId), { decision });
  }

  timeline(sessionId: string, q: { afterSeq?: number; limit?: number; kinds?: string[]; until?: string; minSeq?: number } = {}): Promise<TimelinePage> {
    return this.api.get(sessionPaths.timeline(sessionId), clean({ ...q, kinds: q.kinds?.join(',') }) as Query);
  }

  export(sessionId: string, format: ExportFormat): Promise<SessionExport> {
    return this.api.get(sessionPaths.export(sessionId), { format });
  }
}

/** `undefined`: the answer says nothing about the task; `null`: it says there is none. */
export function taskFromAnswer(answer: unknown): QueueTask | null | undefined {
  if (!answer || typeof answer !== 'object') return undefined;
  const a = answer as Record<string, unknown>;
  if ('task' in a) {
    const t = a.task as Partial<QueueTask> | null;
    if (!t || typeof t !== 'object' || typeof t.id !== 'string') return null;
    return { id: t.id, title: t.title ?? t.id, description: t.description ?? '', acceptanceCriteria: Array.isArray(t.acceptanceCriteria) ? t.acceptanceCriteria : [] };
  }
  if ('empty' in a && a.empty === true) return null;
  return undefined;
}
