import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { CommandAccepted } from '@baton/contracts';
import { signAgentToken } from '@baton/agent-auth';
import { RUNNER_DIRECTED, registry, type Actor, type AgentClaims, type CommandReply, type RunnerStart } from '@baton/events';
import { CommandBus } from '@baton/event-store';
import { eventually, startService, type ManagedProcess } from '@baton/testing';
import { startApi, type Api } from '../../openapi/__tests__/api-harness';

export const AGENT_SECRET = 'gateway-int-spec-agent-secret-0123456789';

export interface SessionsApi extends Api {
  sessions: ManagedProcess;
  bus: CommandBus;
  /** A session token as the sessions service mints them. */
  agentToken(claims: AgentClaims, opts?: { issuedAt?: string; ttlMs?: number; secret?: string }): string;
  /** A command the way a runner or a service sends it (not through HTTP). */
  send(type: string, data: unknown, actor?: Actor): Promise<Extract<CommandReply, { status: 'accepted' }>>;
  /** POST/PATCH that must be accepted with `status`; the parsed answer. */
  accepted(method: string, path: string, body?: unknown, status?: number, token?: string): Promise<CommandAccepted>;
  /** A project, readable by both the tasks and the sessions service once this resolves. */
  project(name: string): Promise<string>;
  /** The highest stream sequence any accepted write answered: pass it as minSeq to read your writes. */
  readonly seq: number;
  close(): Promise<void>;
}

/** Tasks, sessions and the gateway, for real: the sessions service signs with AGENT_SECRET, the gateway reads the public key it publishes. */
export async function startSessionsApi(opts: { gatewayEnv?: Record<string, string> } = {}): Promise<SessionsApi> {
  const api = await startApi({ gatewayEnv: { ...opts.gatewayEnv } });
  const sessions = await startService('sessions', { ...api.ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: api.gateway.url });
  const bus = new CommandBus(api.broker);
  await eventually(async () => (await api.call('GET', '/api/runners')).status === 200, 20_000, 'the sessions service to answer');

  let seq = 0;
  const accepted = async (method: string, path: string, body?: unknown, status = 200, token?: string) => {
    const res = await api.call(method, path, body, token ? { token } : {});
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, expected ${status}: ${res.text}`);
    const answer = CommandAccepted.parse(res.body);
    seq = Math.max(seq, answer.seq);
    return answer;
  };
  return {
    ...api,
    get seq() {
      return seq;
    },
    sessions,
    bus,
    accepted,
    agentToken: (claims, o = {}) => signAgentToken(claims, o.secret ?? AGENT_SECRET, o.issuedAt, o.ttlMs),
    async send(type, data, actor = { kind: 'system', id: 'int-spec' }) {
      const reply = await bus.send(registry.command(type)!, data, { actor, timeoutMs: 15_000 });
      if (reply.status !== 'accepted') throw new Error(`${type} rejected: ${reply.code} ${reply.message}`);
      return reply;
    },
    async project(name) {
      const created = await accepted('POST', '/api/projects', { name, repository: { location: `/srv/${name.toLowerCase()}` } }, 201);
      const res = await api.call('GET', `/api/projects/${created.id}/session-templates?minSeq=${created.seq}`);
      if (res.status !== 200) throw new Error(`project ${created.id} is not readable: ${res.text}`);
      return created.id;
    },
    async close() {
      await sessions.stop();
      await api.close();
    },
  };
}

/**
 * Plays a runner the way apps/runner does: registers, keeps its heartbeat in KV, takes the
 * start messages aimed at it, and reports the process as spawned.
 */
export class FakeRunner {
  readonly starts: RunnerStart[] = [];
  private beat?: NodeJS.Timeout;
  private stopPull?: () => void;
  readonly actor: Actor;

  constructor(
    private readonly api: SessionsApi,
    readonly runnerId: string,
  ) {
    this.actor = { kind: 'system', id: `runner-${runnerId}` };
  }

  async start(capacity = 4): Promise<this> {
    await this.api.send('runner.register', { runnerId: this.runnerId, hostname: `host-${this.runnerId}`, capacity, labels: { pool: this.runnerId } }, this.actor);
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), 1_000);
    const { jsm, js, names } = this.api.broker;
    const durable = `runner-${this.runnerId}`;
    await jsm.consumers.add(names.streams.commands, { durable_name: durable, filter_subject: names.cmdRunnerAll(this.runnerId), ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const messages = await (await js.consumers.get(names.streams.commands, durable)).consume({ max_messages: 100 });
    this.stopPull = () => void messages.stop();
    void (async () => {
      for await (const m of messages) {
        if (m.subject.endsWith('.start')) this.starts.push(RUNNER_DIRECTED.start.parse(m.json()));
        m.ack();
      }
    })().catch(() => undefined);
    return this;
  }

  private async heartbeat(): Promise<void> {
    const kv = await this.api.broker.kv(this.api.broker.names.kv.runners);
    const sessions = this.starts.map((s) => ({ sessionId: s.sessionId, pid: 4242, lastOutputAt: null }));
    await kv.put(this.runnerId, JSON.stringify({ runnerId: this.runnerId, at: new Date().toISOString(), sessions }));
  }

  /** Waits for the session's start, reports it spawned, and answers its launch (with the token the sessions service minted). */
  async spawned(sessionId: string): Promise<RunnerStart> {
    const start = await eventually(() => this.starts.find((s) => s.sessionId === sessionId), 20_000, `a start for ${sessionId} on ${this.runnerId}`);
    await this.heartbeat();
    await this.api.send('session.record_spawned', { sessionId, runnerId: this.runnerId, pid: 4242 }, this.actor);
    return start;
  }

  close(): void {
    clearInterval(this.beat);
    this.stopPull?.();
  }
}

/** A spec for a template that runs as an agent (registers itself). */
export const agentSpec = (name: string) => ({ name, kind: 'agent', argv: ['sleep', '1000'], registrationTimeoutMs: 600_000 });
