import { randomUUID } from 'node:crypto';
import { CliError, type CommandAccepted } from '../api-client';
import type { AgentStatus, Report, SessionApi, SpawnRequest, UsageDelta } from '../sessions/session-api';
import type { TerminalLog } from './terminal';

const transient = (e: unknown) => !(e instanceof CliError) || e.status === undefined || e.status >= 500 || e.status === 429;

/**
 * The demo agent's line to Baton. Reports are retried while Baton is unreachable or
 * busy; a refusal (4xx) is shown in the terminal and, unless the report was essential,
 * the work goes on — a lost progress line must not cost the task.
 */
export class Reporter {
  constructor(
    readonly api: SessionApi,
    readonly sessionId: string,
    private readonly log: TerminalLog,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly retries = 4,
  ) {}

  /** `call` gets one idempotency key for all its tries: a retry after a lost answer is not a second report. */
  private async send(what: string, call: (key: string) => Promise<CommandAccepted>, essential: boolean): Promise<CommandAccepted | null> {
    const key = `demo-${this.sessionId}-${randomUUID()}`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(key);
      } catch (e) {
        if (transient(e) && attempt < this.retries) {
          await this.sleep(250 * 2 ** attempt);
          continue;
        }
        const message = `could not report ${what}: ${(e as Error).message}`;
        if (essential) throw new CliError(message, 1, e instanceof CliError ? e.status : undefined);
        this.log.warn(message);
        return null;
      }
    }
  }

  register(): Promise<CommandAccepted | null> {
    return this.send('registration', (key) => this.api.register(this.sessionId, 'baton-demo-agent', key), false);
  }

  report(r: Report, essential = false): Promise<CommandAccepted | null> {
    return this.send(r.kind.replace('_', ' '), (key) => this.api.report(this.sessionId, r, key), essential);
  }

  status(status: AgentStatus, message = '', essential = false): Promise<CommandAccepted | null> {
    return this.send(`status ${status}`, (key) => this.api.status(this.sessionId, status, message, key), essential);
  }

  usage(u: UsageDelta): Promise<CommandAccepted | null> {
    return this.send('usage', (key) => this.api.usage(this.sessionId, u, key), false);
  }

  spawnWorker(req: SpawnRequest): Promise<CommandAccepted> {
    return this.send('a worker', (key) => this.api.spawnWorker(this.sessionId, req, key), true) as Promise<CommandAccepted>;
  }

  queue(verb: 'complete' | 'fail' | 'skip', body: { taskId?: string | null; message?: string; reason?: string }): Promise<CommandAccepted | null> {
    return this.send(`queue ${verb}`, (key) => this.api.queue(this.sessionId, verb, body, key), true);
  }
}
