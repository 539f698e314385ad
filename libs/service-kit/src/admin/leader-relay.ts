import { randomBytes } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import { isDomainError } from '@baton/events';
import { QueryError, type Broker, type Logger } from '@baton/event-store';

type Answer = { ok: true; data: unknown } | { ok: false; code: string; message: string; details?: Record<string, unknown> };

export interface LeaderRelayOptions {
  broker: Broker;
  service: string;
  /** Whether this replica leads the projection now. */
  leads(name: string): boolean;
  /** Runs a forwarded operation here (this replica leads, or led when asked). */
  run(op: string, params: Record<string, unknown>): Promise<unknown>;
  logger: Logger;
}

/**
 * Admin queries arrive at any replica (the query server is a queue group), but a rebuild
 * must run where the projection's loop runs: on its leader. Every replica answers
 * `<ns>.adm.<service>.lead` for the projections it leads (no queue group: only the leader
 * speaks) and takes forwarded operations on a subject of its own.
 */
export class LeaderRelay {
  readonly instanceId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private subs: Subscription[] = [];

  constructor(private readonly o: LeaderRelayOptions) {}

  private get root(): string {
    return `${this.o.broker.names.namespace}.adm.${this.o.service}`;
  }

  start(): void {
    const { nc } = this.o.broker;
    this.subs.push(
      nc.subscribe(`${this.root}.lead`, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const { name } = msg.json<{ name?: unknown }>();
            if (typeof name === 'string' && this.o.leads(name)) msg.respond(JSON.stringify({ instanceId: this.instanceId }));
          } catch {
            // not ours to answer
          }
        },
      }),
      nc.subscribe(`${this.root}.at.${this.instanceId}`, {
        callback: (err, msg) => {
          if (err) return;
          void this.answer(msg.data).then((a) => msg.respond(JSON.stringify(a)));
        },
      }),
    );
  }

  private async answer(data: Uint8Array): Promise<Answer> {
    try {
      const { op, params } = JSON.parse(new TextDecoder().decode(data)) as { op: string; params: Record<string, unknown> };
      return { ok: true, data: await this.o.run(op, params) };
    } catch (e) {
      if (isDomainError(e) || e instanceof QueryError) return { ok: false, code: e.code, message: e.message, details: e.details };
      this.o.logger.error({ err: e }, 'forwarded admin operation failed');
      return { ok: false, code: 'internal', message: 'admin operation failed' };
    }
  }

  /** Runs `op` on the replica that leads `name`; `unavailable` when none does right now (an election). */
  async forward(op: string, name: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const { nc } = this.o.broker;
    let leader: string;
    try {
      leader = (await nc.request(`${this.root}.lead`, JSON.stringify({ name }), { timeout: 2_000 })).json<{ instanceId: string }>().instanceId;
    } catch {
      throw new QueryError('unavailable', `no replica of ${this.o.service} leads read model "${name}" right now (an election takes a few seconds); try again`);
    }
    let reply;
    try {
      reply = await nc.request(`${this.root}.at.${leader}`, JSON.stringify({ op, params }), { timeout: timeoutMs });
    } catch (e) {
      throw new QueryError('unavailable', `the leader of "${name}" did not answer: ${(e as Error).message}`);
    }
    const answer = reply.json<Answer>();
    if (!answer.ok) throw new QueryError(answer.code, answer.message, answer.details);
    return answer.data;
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }
}
