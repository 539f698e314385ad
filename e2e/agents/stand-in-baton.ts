import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One REST call the agent made. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
}

interface Item {
  taskId: string;
  status: 'queued' | 'processing' | 'completed' | 'failed' | 'skipped';
}
interface StandInSession {
  id: string;
  projectId: string;
  templateId: string;
  name: string;
  role: string;
  strategy: 'simple' | 'queue';
  status: string;
  attemptId: string | null;
  taskIds: string[];
  parentSessionId: string | null;
  items: Item[];
  endedReason: string | null;
}
export interface StandInTask {
  id: string;
  title: string;
  description?: string;
  acceptanceCriteria?: string[];
  parentId?: string | null;
  status?: string;
  dependsOn?: { taskId: string; condition: string }[];
}

const FINAL = new Set(['completed', 'failed', 'stopped']);

/**
 * A stand-in for the gateway's session and agent routes (apps/gateway/src/openapi/routes/
 * sessions.routes.ts) with just enough of the sessions service's rules (items, drained
 * queue completes the session, final statuses) to drive a real agent process, recording
 * every call it gets.
 */
export class StandInBaton {
  readonly calls: RecordedCall[] = [];
  readonly sessions = new Map<string, StandInSession>();
  readonly tasks = new Map<string, StandInTask>();
  /** How a spawned worker ends (after `workerMs`). */
  workerOutcome: (n: number) => string = () => 'completed';
  workerMs = 150;
  attemptNumber = 1;
  private seq = 100;
  private server: Server | null = null;
  url = '';

  addSession(s: Partial<StandInSession> & { id: string }): StandInSession {
    const taskIds = s.taskIds ?? [];
    const full: StandInSession = {
      projectId: 'P1',
      templateId: 'baton-demo-agent',
      name: '',
      role: 'worker',
      strategy: 'simple',
      status: 'spawning',
      attemptId: null,
      parentSessionId: null,
      endedReason: null,
      ...s,
      taskIds,
      items: taskIds.map((taskId) => ({ taskId, status: 'queued' })),
    };
    this.sessions.set(full.id, full);
    return full;
  }

  addTask(t: StandInTask): void {
    this.tasks.set(t.id, { status: 'ready', description: '', acceptanceCriteria: [], parentId: null, ...t });
  }

  /** Calls to one session's routes, as `verb kind` lines: `reports progress`, `status completed`… */
  story(sessionId: string): string[] {
    const prefix = `/api/sessions/${sessionId}/`;
    return this.calls
      .filter((c) => c.method === 'POST' && c.path.startsWith(prefix))
      .map((c) => {
        const verb = c.path.slice(prefix.length);
        const b = c.body ?? {};
        if (verb === 'reports') return `report ${b.kind}${b.taskId ? ` ${b.taskId}` : ''}${b.progress !== undefined ? ` ${b.progress}` : ''}`;
        if (verb === 'status') return `status ${b.status}`;
        return verb;
      });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accepted(id: string) {
    this.seq += 1;
    return { id, commandId: `C${this.seq}`, seq: this.seq, events: [] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      authorization: req.headers.authorization,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
    };
    this.calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const [status, body] = this.route(call);
      send(status, body);
    } catch (e) {
      const err = e as Error & { status?: number; code?: string };
      send(err.status ?? 500, { error: { code: err.code ?? 'internal', message: err.message } });
    }
  }

  private route(c: RecordedCall): [number, unknown] {
    const m = (re: RegExp) => re.exec(`${c.method} ${c.path}`);
    let r: RegExpExecArray | null;
    if ((r = m(/^GET \/api\/sessions\/([^/]+)$/))) return [200, this.view(this.session(r[1]))];
    if ((r = m(/^GET \/api\/sessions$/))) {
      const items = [...this.sessions.values()].filter((s) => !c.query.parentSessionId || s.parentSessionId === c.query.parentSessionId);
      return [200, { items: items.map((s) => this.view(s)), total: items.length, limit: 100, offset: 0 }];
    }
    if ((r = m(/^POST \/api\/sessions\/([^/]+)\/(register|status|reports|usage|queue\/next|queue\/complete|queue\/fail|queue\/skip|workers)$/))) {
      const s = this.session(r[1]);
      if (FINAL.has(s.status)) throw Object.assign(new Error(`session ${s.id} has ended (${s.status})`), { status: 409, code: 'conflict' });
      if (s.status === 'spawning' || s.status === 'pending') s.status = 'idle';
      return this.agentCall(s, r[2], c.body ?? {});
    }
    if ((r = m(/^GET \/api\/projects\/([^/]+)\/tasks$/))) {
      const items = [...this.tasks.values()].filter((t) => !c.query.parentId || t.parentId === c.query.parentId);
      return [200, { items, total: items.length, limit: 100, offset: 0 }];
    }
    if ((r = m(/^POST \/api\/projects\/([^/]+)\/tasks$/))) {
      const id = `T${this.tasks.size + 100}`;
      const b = c.body as unknown as StandInTask;
      this.addTask({ ...b, id });
      return [201, this.accepted(id)];
    }
    if ((r = m(/^GET \/api\/tasks\/([^/]+)$/))) {
      const t = this.tasks.get(r[1]);
      if (!t) throw Object.assign(new Error(`task ${r[1]} does not exist`), { status: 404, code: 'not_found' });
      return [200, t];
    }
    if ((r = m(/^GET \/api\/attempts\/([^/]+)$/))) return [200, { id: r[1], number: this.attemptNumber }];
    throw Object.assign(new Error(`no route ${c.method} ${c.path}`), { status: 404, code: 'not_found' });
  }

  private agentCall(s: StandInSession, verb: string, b: Record<string, unknown>): [number, unknown] {
    const move = (taskId: string | undefined, to: Item['status']) => {
      const item = taskId ? s.items.find((i) => i.taskId === taskId) : s.items.find((i) => i.status === 'processing');
      if (!item) throw Object.assign(new Error(`no such task item ${taskId ?? '(in progress)'}`), { status: 422, code: 'invalid_state' });
      item.status = to;
      if (s.strategy === 'queue' && !s.items.some((i) => i.status === 'queued' || i.status === 'processing')) {
        s.status = 'completed';
        s.endedReason = 'queue drained';
      }
    };
    switch (verb) {
      case 'register':
        return [200, this.accepted(s.id)];
      case 'status':
        s.status = String(b.status);
        return [200, this.accepted(s.id)];
      case 'reports': {
        const kind = String(b.kind);
        if (kind === 'task_started') move(b.taskId as string | undefined, 'processing');
        if (kind === 'task_completed') move(b.taskId as string | undefined, 'completed');
        if (kind === 'task_failed') move(b.taskId as string | undefined, 'failed');
        if (kind === 'needs_input') s.status = 'needs_input';
        return [200, this.accepted(s.id)];
      }
      case 'usage':
        return [200, this.accepted(s.id)];
      case 'queue/next': {
        if (s.items.some((i) => i.status === 'processing')) throw Object.assign(new Error('a task is still processing'), { status: 409, code: 'conflict' });
        const next = s.items.find((i) => i.status === 'queued');
        if (next) {
          next.status = 'processing';
          s.status = 'working';
        }
        return [200, this.accepted(s.id)];
      }
      case 'queue/complete':
        move(b.taskId as string | undefined, 'completed');
        return [200, this.accepted(s.id)];
      case 'queue/fail':
        move(b.taskId as string | undefined, 'failed');
        return [200, this.accepted(s.id)];
      case 'queue/skip':
        move(b.taskId as string | undefined, 'skipped');
        return [200, this.accepted(s.id)];
      case 'workers': {
        if (s.role !== 'orchestrator' && s.role !== 'planner') throw Object.assign(new Error(`a ${s.role} may not spawn sessions`), { status: 403, code: 'forbidden' });
        const n = [...this.sessions.values()].filter((w) => w.parentSessionId === s.id).length + 1;
        const worker = this.addSession({ id: `${s.id}-W${n}`, parentSessionId: s.id, projectId: s.projectId, taskIds: (b.taskIds as string[]) ?? [], name: String(b.name ?? '') });
        worker.status = 'working';
        setTimeout(() => (worker.status = this.workerOutcome(n)), this.workerMs);
        return [201, this.accepted(worker.id)];
      }
      default:
        throw new Error(`unknown agent call ${verb}`);
    }
  }

  private session(id: string): StandInSession {
    const s = this.sessions.get(id);
    if (!s) throw Object.assign(new Error(`session ${id} does not exist`), { status: 404, code: 'not_found' });
    return s;
  }

  private view(s: StandInSession) {
    return { ...s, items: s.items.map((i) => ({ ...i })) };
  }
}
