import { isAccepted, sendCommand, type Accepted, type Refused } from './http';

export interface LoadOptions {
  base: () => string;
  token: string;
  clients: number;
  /** Commands per client; without it the load runs until `stop()`. */
  perClient?: number;
  /** Prefix of every Idempotency-Key (unique per run). */
  prefix: string;
  /** Pause between a client's commands. */
  pauseMs?: number;
  deadlineMs?: number;
  /** Where each client's project says its repository is (default `/srv/load-<c>`, which need not exist). */
  location?: (client: number) => string;
  /** Extra kinds of command a client may send, by turn (e.g. spawning a session). */
  extra?: (client: number, i: number, projectId: string) => { kind: string; method: string; path: string; body?: unknown } | null;
}

export interface LoadResult {
  accepted: Accepted[];
  refused: Refused[];
  projects: string[];
  retries: number;
  retryStatuses: Record<string, number>;
}

/**
 * Clients that each own a project and, one command at a time, create tasks in it and rename
 * it (and whatever `extra` adds), resending on 5xx and timeouts with the same key.
 */
export class Load {
  private stopped = false;
  private aborted = false;
  readonly result: LoadResult = { accepted: [], refused: [], projects: [], retries: 0, retryStatuses: {} };
  private done?: Promise<LoadResult>;
  /** Accepted commands per second over time (for watching recovery). */
  readonly timeline: number[] = [];

  constructor(private readonly o: LoadOptions) {}

  start(): this {
    this.done = Promise.all(Array.from({ length: this.o.clients }, (_, c) => this.client(c))).then(() => this.result);
    return this;
  }

  get acceptedCount(): number {
    return this.result.accepted.length;
  }

  /** Stops sending new commands; resolves when every command in flight has its final answer. */
  async stop(): Promise<LoadResult> {
    this.stopped = true;
    return this.done!;
  }

  /** Gives up at once: no new command, no resend (for a test's teardown, when it timed out mid-storm). */
  abort(): void {
    this.aborted = true;
    this.stopped = true;
  }

  finished(): Promise<LoadResult> {
    return this.done!;
  }

  private record(r: Accepted | Refused): Accepted | Refused {
    if (isAccepted(r)) this.result.accepted.push(r);
    else this.result.refused.push(r);
    return r;
  }

  private send(req: { kind: string; method: string; path: string; body?: unknown; key: string }) {
    return sendCommand(this.o.base, this.o.token, req, {
      deadlineMs: this.o.deadlineMs,
      abandoned: () => this.aborted,
      onRetry: (status) => {
        this.result.retries++;
        this.result.retryStatuses[String(status)] = (this.result.retryStatuses[String(status)] ?? 0) + 1;
      },
    }).then((r) => this.record(r));
  }

  private async client(c: number): Promise<void> {
    const key = (i: number | string) => `${this.o.prefix}-c${c}-${i}`;
    const created = await this.send({ kind: 'project.create', method: 'POST', path: '/api/projects', body: { name: `Load ${c}`, repository: { location: this.o.location?.(c) ?? `/srv/load-${c}` } }, key: key('project') });
    if (!isAccepted(created)) return;
    const projectId = created.id;
    this.result.projects.push(projectId);
    for (let i = 0; !this.aborted && (this.o.perClient === undefined ? !this.stopped : i < this.o.perClient); i++) {
      const extra = this.o.extra?.(c, i, projectId);
      const req = extra
        ? { ...extra, key: key(i) }
        : i % 4 === 3
          ? { kind: 'project.rename', method: 'POST', path: `/api/projects/${projectId}/rename`, body: { name: `Load ${c} #${i}` }, key: key(i) }
          : { kind: 'task.create', method: 'POST', path: `/api/projects/${projectId}/tasks`, body: { title: `Task ${c}.${i}` }, key: key(i) };
      await this.send(req);
      if (this.o.pauseMs) await new Promise((r) => setTimeout(r, this.o.pauseMs));
    }
  }
}
