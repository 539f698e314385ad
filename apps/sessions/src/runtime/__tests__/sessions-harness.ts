import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { monotonicFactory } from 'ulid';
import {
  registry,
  RUNNER_DIRECTED,
  stampEvents,
  ProjectCreated,
  type Actor,
  type CommandDataOf,
  type CommandDefinition,
  type CommandReply,
  type RunnerHeartbeat,
  type RunnerInput,
  type RunnerStart,
  type RunnerStop,
  type SessionTemplateSpec,
  type SpawnSession,
  type TemplateSnapshot,
} from '@baton/events';
import { Broker, CommandBus, EventStore, QueryClient } from '@baton/event-store';
import { eventually, type TestNamespace } from '@baton/testing';
import { spec as fixtureSpec } from '../../session/__tests__/session-fixtures';
import type { SessionView } from '../../read-models/sessions/sessions.queries';

export const TEST_SECRET = 'test-agent-token-secret-0123456789abcdef';
export const operator: Actor = { kind: 'user', id: 'operator' };
const newId = monotonicFactory();
export const id = (prefix = 's') => `${prefix}${newId().toLowerCase()}`;

/** The session fixtures' whole spec, as a process on a real runner: a command that waits, and no backoff between restarts. */
export function spec(o: Partial<SessionTemplateSpec> = {}): SessionTemplateSpec {
  return fixtureSpec({
    name: 'Test agent',
    argv: ['sh', '-c', 'sleep 1000'],
    restart: { mode: 'never', backoffMs: 0, maxBackoffMs: 0, maxRestarts: 0, resetAfterMs: null },
    registrationTimeoutMs: 60_000,
    ...o,
  });
}
export const snapshot = (o: Partial<SessionTemplateSpec> = {}): TemplateSnapshot => ({ version: 1, builtIn: false, spec: spec(o) });

type Directed = { type: 'start'; data: RunnerStart; msg: JsMsg } | { type: 'stop'; data: RunnerStop; msg: JsMsg } | { type: 'input'; data: RunnerInput; msg: JsMsg };

/**
 * Plays a runner the way apps/runner will: registers, keeps a heartbeat in KV, pulls its
 * directed messages from `<ns>.cmd.runner.<id>.>` and reports with `session.record_*`.
 */
export class FakeRunner {
  readonly received: Directed[] = [];
  /** Sessions it says it hosts, with their last output time (the heartbeat's). */
  readonly hosted = new Map<string, string | null>();
  private beat?: NodeJS.Timeout;
  private stopPull?: () => void;
  readonly actor: Actor;

  constructor(
    private readonly h: SessionsHarness,
    readonly runnerId: string,
  ) {
    this.actor = { kind: 'system', id: `runner-${runnerId}` };
  }

  async register(capacity: number, labels: Record<string, string> = {}): Promise<this> {
    await this.h.ok(registry.command('runner.register')!, { runnerId: this.runnerId, hostname: `host-${this.runnerId}`, capacity, labels }, this.actor);
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), 1_000);
    await this.pull();
    return this;
  }

  async heartbeat(): Promise<void> {
    const kv = await this.h.broker.kv(this.h.broker.names.kv.runners);
    const hb: RunnerHeartbeat = {
      runnerId: this.runnerId,
      at: new Date().toISOString(),
      sessions: [...this.hosted].map(([sessionId, lastOutputAt]) => ({ sessionId, pid: 4242, lastOutputAt })),
    };
    await kv.put(this.runnerId, JSON.stringify(hb));
  }

  /** The machine vanishes: no more heartbeats (the KV entry ages out). */
  silence(): void {
    clearInterval(this.beat);
    this.beat = undefined;
  }

  private async pull(): Promise<void> {
    const { jsm, js, names } = this.h.broker;
    const durable = `runner-${this.runnerId}`;
    await jsm.consumers.add(names.streams.commands, {
      durable_name: durable,
      filter_subject: names.cmdRunnerAll(this.runnerId),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await js.consumers.get(names.streams.commands, durable);
    const messages = await consumer.consume({ max_messages: 100 });
    this.stopPull = () => void messages.stop();
    void (async () => {
      for await (const m of messages) {
        const type = m.subject.split('.').pop() as Directed['type'];
        const data = RUNNER_DIRECTED[type].parse(m.json());
        this.received.push({ type, data, msg: m } as Directed);
        m.ack();
      }
    })().catch(() => undefined);
  }

  of<T extends Directed['type']>(type: T, sessionId?: string): Extract<Directed, { type: T }>[] {
    return this.received.filter((d): d is Extract<Directed, { type: T }> => d.type === type && (!sessionId || d.data.sessionId === sessionId));
  }

  next<T extends Directed['type']>(type: T, sessionId: string, timeoutMs = 10_000): Promise<Extract<Directed, { type: T }>> {
    return eventually(() => this.of(type, sessionId)[0], timeoutMs, `${type} for ${sessionId} on ${this.runnerId}`);
  }

  /** Acts on a start: the process runs (and, for agents that register, it registers). */
  async spawned(sessionId: string, opts: { register?: boolean; output?: string | null } = {}): Promise<void> {
    this.hosted.set(sessionId, opts.output ?? null);
    await this.heartbeat();
    await this.h.ok(registry.command('session.record_spawned')!, { sessionId, runnerId: this.runnerId, pid: 4242 }, this.actor);
    if (opts.register) await this.h.ok(registry.command('session.register')!, { sessionId, agent: 'test-agent' }, { kind: 'agent', id: sessionId });
  }

  async close(): Promise<void> {
    this.silence();
    this.stopPull?.();
  }
}

/** A client of a running sessions service: sends commands, asks queries, plays runners. */
export class SessionsHarness {
  readonly bus: CommandBus;
  readonly queries: QueryClient;
  readonly store: EventStore;
  private readonly runners: FakeRunner[] = [];

  private constructor(
    readonly ns: TestNamespace,
    readonly broker: Broker,
  ) {
    this.bus = new CommandBus(broker);
    this.queries = new QueryClient(broker);
    this.store = new EventStore(broker, registry);
  }

  static async open(ns: TestNamespace): Promise<SessionsHarness> {
    const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace, name: 'sessions-test' });
    await broker.ensureTopology();
    return new SessionsHarness(ns, broker);
  }

  /** The service is up once its dispatcher's durable consumer exists (created at start). */
  async waitUntilServing(): Promise<void> {
    await eventually(() => this.broker.jsm.consumers.info(this.broker.names.streams.events, 'sessions-runner-dispatch').then(() => true), 20_000, 'runner dispatch consumer');
    await eventually(() => this.queries.ask('sessions', 'list_runners', {}, { timeoutMs: 1_000 }).then(() => true), 20_000, 'sessions queries');
  }

  async send(def: CommandDefinition, data: unknown, actor: Actor = operator): Promise<CommandReply> {
    return this.bus.send(def, data, { actor, timeoutMs: 15_000 });
  }

  async ok(def: CommandDefinition, data: unknown, actor: Actor = operator): Promise<Extract<CommandReply, { status: 'accepted' }>> {
    const reply = await this.send(def, data, actor);
    if (reply.status !== 'accepted') throw new Error(`${def.type} rejected: ${reply.code} ${reply.message}`);
    return reply;
  }

  /** What the tasks service would have written: the project, with its concurrency limit. */
  async project(projectId: string, concurrencyLimit: number | null = null): Promise<void> {
    const aggregate = { type: 'project' as const, id: projectId };
    const cmdId = newId();
    const command = { id: cmdId, type: 'project.create', actor: operator, correlationId: cmdId, issuedAt: new Date().toISOString(), data: {} };
    const events = stampEvents(command, aggregate, [ProjectCreated({ name: `Project ${projectId}`, repository: { location: `/srv/${projectId}`, defaultBranch: 'main' }, concurrencyLimit, env: { FROM_PROJECT: 'yes' } })], newId);
    await this.store.append(aggregate, events, { expectedLastSeq: 0, msgIdBase: cmdId });
  }

  async spawn(o: Partial<CommandDataOf<typeof SpawnSession>> & { projectId: string }): Promise<string> {
    const sessionId = o.sessionId ?? id();
    await this.ok(registry.command('session.spawn')!, { sessionId, templateId: 'test-agent', template: snapshot(), ...o });
    return sessionId;
  }

  session(sessionId: string): Promise<SessionView> {
    return this.queries.ask<SessionView>('sessions', 'get_session', { id: sessionId });
  }

  /** Waits until the session's row satisfies `check`; returns it. */
  async until(sessionId: string, check: (s: SessionView) => boolean, timeoutMs = 10_000, what = 'state'): Promise<SessionView> {
    let last: SessionView | undefined;
    return eventually(
      async () => {
        last = await this.session(sessionId);
        return check(last) ? last : null;
      },
      timeoutMs,
      `${sessionId} ${what}`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last seen: ${last ? `${last.status} (${last.statusReason}) on ${last.runnerId}` : 'nothing'}`);
    });
  }

  status(sessionId: string, status: string, timeoutMs = 10_000): Promise<SessionView> {
    return this.until(sessionId, (s) => s.status === status, timeoutMs, `to be ${status}`);
  }

  async runner(runnerId: string, capacity: number, labels: Record<string, string> = {}): Promise<FakeRunner> {
    const r = new FakeRunner(this, runnerId);
    this.runners.push(r);
    return r.register(capacity, labels);
  }

  async events(sessionId: string): Promise<{ type: string; data: unknown }[]> {
    return (await this.store.load({ type: 'session', id: sessionId })).events;
  }

  async close(): Promise<void> {
    for (const r of this.runners) await r.close();
    await this.broker.close();
  }
}
