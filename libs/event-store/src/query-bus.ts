import type { Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import { describeIssues, isDomainError } from '@baton/events';
import type { Broker } from './broker';
import { QueryError } from './errors';
import type { Logger } from './logger';

type QueryAnswer = { ok: true; data: unknown } | { ok: false; code: string; message: string; details?: Record<string, unknown> };

export interface QueryHandler<S extends z.ZodType = z.ZodType> {
  params: S;
  /** Answers from the read model; `minSeq` asks it to wait for its projection first. */
  handle(params: z.output<S>, ctx: { minSeq: number }): Promise<unknown>;
}

export function defineQuery<S extends z.ZodType>(params: S, handle: QueryHandler<S>['handle']): QueryHandler<S> {
  return { params, handle };
}

/** Request/reply on core NATS `<ns>.qry.<service>.<query>`; replicas share a queue group. */
export class QueryServer {
  private sub?: Subscription;

  constructor(
    private readonly broker: Broker,
    private readonly service: string,
    private readonly handlers: Record<string, QueryHandler>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const prefix = this.broker.names.qry(this.service, '');
    this.sub = this.broker.nc.subscribe(this.broker.names.qryService(this.service), {
      queue: `${this.service}-queries`,
      callback: (err, msg) => {
        if (err) return;
        const name = msg.subject.slice(prefix.length);
        void this.answer(name, msg.data).then((a) => msg.respond(JSON.stringify(a)));
      },
    });
  }

  private async answer(name: string, data: Uint8Array): Promise<QueryAnswer> {
    const handler = this.handlers[name];
    if (!handler) return { ok: false, code: 'not_found', message: `unknown query ${this.service}.${name}` };
    let body: { params?: unknown; minSeq?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(data)) as typeof body;
    } catch {
      return { ok: false, code: 'validation', message: 'query is not JSON' };
    }
    const params = handler.params.safeParse(body.params ?? {});
    if (!params.success) {
      const issues = describeIssues(params.error);
      return { ok: false, code: 'validation', message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), details: { issues } };
    }
    const minSeq = typeof body.minSeq === 'number' && body.minSeq > 0 ? body.minSeq : 0;
    try {
      return { ok: true, data: await handler.handle(params.data, { minSeq }) };
    } catch (e) {
      if (isDomainError(e)) return { ok: false, code: e.code, message: e.message, details: e.details };
      if (e instanceof QueryError) return { ok: false, code: e.code, message: e.message, details: e.details };
      this.logger.error({ err: e, query: name }, 'query failed');
      return { ok: false, code: 'internal', message: 'query failed' };
    }
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}

export class QueryClient {
  constructor(private readonly broker: Broker) {}

  async ask<T>(service: string, query: string, params: unknown, opts: { minSeq?: number; timeoutMs?: number } = {}): Promise<T> {
    let reply;
    try {
      reply = await this.broker.nc.request(
        this.broker.names.qry(service, query),
        JSON.stringify({ params, minSeq: opts.minSeq ?? 0 }),
        { timeout: opts.timeoutMs ?? 10_000 },
      );
    } catch (e) {
      throw new QueryError('unavailable', `${service} did not answer ${query}: ${(e as Error).message}`);
    }
    const answer = reply.json<QueryAnswer>();
    if (!answer.ok) throw new QueryError(answer.code, answer.message, answer.details);
    return answer.data as T;
  }
}
