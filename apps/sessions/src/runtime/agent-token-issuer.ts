import type { Subscription } from '@nats-io/transport-node';
import { AgentTokenRequestSchema, type AgentTokenReply } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';
import type { BackgroundTask } from '@baton/service-kit';
import type { DataSource } from 'typeorm';
import { signAgentToken } from '../launch/agent-token';
import { renewalVerdict } from '../agent-token/renew-agent-token';
import { SessionRowEntity } from '../read-models/sessions/session-row.entity';

export interface AgentTokenIssuerOptions {
  broker: Broker;
  db: DataSource;
  secret: () => Promise<string>;
  ttlMs: number;
  logger: Logger;
}

/**
 * Answers runners that renew the tokens of the sessions they host (decision 0024): core NATS
 * request/reply on `<ns>.agent_token.<runnerId>`, every replica in one queue group (no leader
 * needed: it only reads). The runner's id comes from the subject — what NATS permissions can
 * pin to a runner's credentials — never from the body. A token is signed only for a session
 * the read model shows live on that runner; nothing is stored or logged of it.
 */
export class AgentTokenIssuer {
  private sub?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: AgentTokenIssuerOptions) {}

  start(): void {
    const { broker } = this.o;
    this.sub = broker.nc.subscribe(broker.names.agentTokenAll, {
      queue: 'sessions-agent-token',
      callback: (err, msg) => {
        if (err) return;
        const p = this.answer(msg.subject, msg.data)
          .then((reply) => void msg.respond(JSON.stringify(reply)))
          .catch((e) => this.o.logger.error({ err: e }, 'agent token renewal failed'))
          .finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      },
    });
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  async answer(subject: string, data: Uint8Array): Promise<AgentTokenReply> {
    const runnerId = subject.slice(this.o.broker.names.agentToken('').length);
    if (!runnerId || runnerId.includes('.')) return { ok: false, code: 'validation', message: 'no runner id in the subject' };
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return { ok: false, code: 'validation', message: 'the request is not JSON' };
    }
    const request = AgentTokenRequestSchema.safeParse(body);
    if (!request.success) return { ok: false, code: 'validation', message: request.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') };
    const { sessionId } = request.data;
    let row;
    try {
      row = await this.o.db.getRepository(SessionRowEntity).findOneBy({ id: sessionId });
    } catch (e) {
      this.o.logger.warn({ err: e, sessionId, runnerId }, 'cannot read the session to renew its token');
      return { ok: false, code: 'unavailable', message: 'the sessions read model cannot be read now; ask again' };
    }
    const verdict = renewalVerdict(row, sessionId, runnerId);
    if (!verdict.ok) {
      this.o.logger.info({ sessionId, runnerId, why: verdict.message }, 'agent token not renewed');
      return verdict;
    }
    const secret = await this.o.secret().catch(() => null);
    if (!secret) return { ok: false, code: 'unavailable', message: 'the token secret cannot be read now; ask again' };
    const issuedAt = new Date().toISOString();
    const token = signAgentToken(verdict.claims, secret, issuedAt, this.o.ttlMs);
    this.o.logger.debug({ sessionId, runnerId }, 'agent token renewed');
    return { ok: true, token, issuedAt, expiresAt: new Date(Date.parse(issuedAt) + this.o.ttlMs).toISOString() };
  }

  /** As a background task of the service: every replica answers. */
  asTask(): BackgroundTask {
    return { name: 'agent-token-issuer', start: async () => this.start(), stop: () => this.stop() };
  }
}
