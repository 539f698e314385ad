import type { Actor, CommandDataOf, CommandDefinition, CommandReply } from '@baton/events';
import { CommandTimeoutError, resultKey, runnerActor, type Broker, type CommandBus, type Logger } from '@baton/event-store';

export type ReportOutcome = 'accepted' | 'rejected' | 'conflict' | 'pending' | 'abandoned';

export interface ReportOptions {
  /** Command id (before the actor prefix the bus adds): the same fact always gets the same id. */
  id: string;
  /** The sessions service answered 409: the session is no longer this runner's. */
  onConflict?: () => void;
  /** Once the command is stored in the stream (accepted, rejected, or its answer still pending). */
  onPublished?: () => void;
}

export interface ReporterOptions {
  broker: Broker;
  bus: CommandBus;
  runnerId: string;
  logger: Logger;
  /** How long to wait for the sessions service's answer before moving on. */
  replyTimeoutMs?: number;
  /** How long an unanswered command is watched for a late 409. */
  watchMs?: number;
}

/**
 * Sends what the runner observed (`runner.register`, `session.record_*`) to the sessions
 * service. Commands of one session go out one after another, so they reach the stream in
 * the order they happened. Publishing is retried until the broker takes it; an answer
 * that does not come in time (the service is down) does not hold the queue: the command
 * is stored, and its recorded result is watched for a late 409.
 */
export class Reporter {
  readonly actor: Actor;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly watches = new Set<NodeJS.Timeout>();
  private readonly replyTimeoutMs: number;
  private readonly watchMs: number;
  private closed = false;

  constructor(private readonly opts: ReporterOptions) {
    this.actor = runnerActor(opts.runnerId);
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 5_000;
    this.watchMs = opts.watchMs ?? 10 * 60_000;
  }

  /** Queues the command behind the others of `queue` (a session id); resolves with its outcome. */
  send<D extends CommandDefinition>(queue: string, def: D, data: CommandDataOf<D>, opts: ReportOptions): Promise<ReportOutcome> {
    // A report the service would refuse as malformed is a runner bug: fail loudly here.
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) {
      this.opts.logger.error({ type: def.type, id: opts.id, issues: parsed.error.issues }, 'runner built an invalid report');
      return Promise.resolve('rejected');
    }
    const previous = this.queues.get(queue) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(def, parsed.data, opts));
    const tail = next.catch(() => undefined);
    this.queues.set(queue, tail);
    void tail.then(() => this.queues.get(queue) === tail && this.queues.delete(queue));
    return next;
  }

  /** Resolves once everything queued so far was published (or `timeoutMs` passed). */
  async flush(timeoutMs: number): Promise<boolean> {
    const all = Promise.allSettled([...this.queues.values()]).then(() => true);
    return Promise.race([all, new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
  }

  /** Stops retrying: whatever is not published by now is given up. */
  close(): void {
    this.closed = true;
    for (const t of this.watches) clearTimeout(t);
    this.watches.clear();
  }

  private async deliver(def: CommandDefinition, data: unknown, opts: ReportOptions): Promise<ReportOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) {
        this.opts.logger.warn({ type: def.type, id: opts.id }, 'report abandoned at shutdown');
        return 'abandoned';
      }
      try {
        const reply = await this.opts.bus.send(def, data, { actor: this.actor, id: opts.id, timeoutMs: this.replyTimeoutMs, fromRunner: this.opts.runnerId });
        opts.onPublished?.();
        return this.outcome(def, opts, reply);
      } catch (e) {
        if (e instanceof CommandTimeoutError) {
          // Stored in the stream; the service will act on it when it is back.
          opts.onPublished?.();
          this.watch(def, opts, e.commandId);
          return 'pending';
        }
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
        if (attempt === 1 || attempt % 10 === 0) this.opts.logger.warn({ err: e, type: def.type, id: opts.id, attempt }, 'could not publish report, retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private outcome(def: CommandDefinition, opts: ReportOptions, reply: CommandReply): ReportOutcome {
    if (reply.status === 'accepted') return 'accepted';
    if (reply.code === 'conflict') {
      this.opts.logger.warn({ type: def.type, id: opts.id, message: reply.message }, 'sessions service says this session is not ours any more');
      opts.onConflict?.();
      return 'conflict';
    }
    this.opts.logger.warn({ type: def.type, id: opts.id, code: reply.code, message: reply.message }, 'report rejected');
    return 'rejected';
  }

  /** Polls the recorded result of a command nobody answered yet. */
  private watch(def: CommandDefinition, opts: ReportOptions, commandId: string): void {
    const deadline = Date.now() + this.watchMs;
    const tick = async () => {
      if (this.closed) return;
      try {
        const kv = await this.opts.broker.kv(this.opts.broker.names.kv.commandResults);
        const entry = await kv.get(resultKey(commandId));
        if (entry && entry.operation === 'PUT') {
          this.outcome(def, opts, entry.json<CommandReply>());
          return;
        }
      } catch {
        // broker away: try again
      }
      if (Date.now() < deadline) schedule();
    };
    const schedule = () => {
      const t = setTimeout(() => {
        this.watches.delete(t);
        void tick();
      }, 2_000);
      t.unref();
      this.watches.add(t);
    };
    schedule();
  }
}
