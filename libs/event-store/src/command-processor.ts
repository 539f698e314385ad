import { AckPolicy, DeliverPolicy, type JsMsg, type Consumer } from '@nats-io/jetstream';

import {
  DecodeError,
  isDomainError,
  stampEvents,
  type CommandEnvelope,
  type CommandReply,
  type Decider,
  type EventEnvelope,
  type RecordedEvent,
  type Registry,
  type ServiceName,
} from '@baton/events';
import { LIVE_PULL, type Broker } from './broker';
import { ConcurrencyError } from './errors';
import type { EventStore } from './event-store';
import type { Logger } from './logger';
import { REPLY_HEADER } from './command-bus';
import { untilAnswered } from './until-answered';
import { ulidFactory } from './ids';
import type { CommandStageObserver } from './command-stages';
import { commandSubjectVerdict } from './command-subject';

/**
 * Deliveries before a command is given up. A command that fails for a transient reason (the
 * broker electing a leader, a lost connection) is nak'd with a backoff of at most 5 s; on its
 * last delivery it is answered `rejected` (code `internal`, with the last error) instead, so
 * the sender learns it failed. 100 deliveries ride out minutes of trouble.
 */
const MAX_DELIVER = 100;

interface CachedAggregate<S> {
  state: S;
  lastSeq: number;
}

export interface CommandProcessorOptions {
  service: ServiceName;
  broker: Broker;
  store: EventStore;
  registry: Registry;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deciders of different state types share one processor
  deciders: Decider<any, any, any>[];
  logger: Logger;
  /** Commands handled at once; order per aggregate is kept by optimistic concurrency, not by the loop. */
  concurrency?: number;
  maxConflictRetries?: number;
  cacheSize?: number;
  /**
   * How long JetStream waits for a delivered command's ack before handing it to another
   * replica (or another life of this one). Short, so a command in flight on a replica that
   * died comes back within seconds; commands still being handled are kept alive with
   * `working()` (every third of it), so a slow one is not handed out twice. Default 5 s.
   */
  ackWaitMs?: number;
  /** Deliveries of one command before it is answered as given up (default 100). */
  maxDeliveries?: number;
  /** Observes each outcome (metrics); `command` is absent for an undecodable one. */
  onOutcome?: (reply: CommandReply, ms: number, command?: { type: string }) => void;
  /** Observes each stage of a command's handling (command-stages.ts). */
  onStage?: CommandStageObserver;
  /**
   * Runs each decoded command's handling inside `work` (a logging context carrying its
   * correlation and command ids). Observation only: it must call `work` once and return its result.
   */
  withContext?: <T>(command: CommandEnvelope, work: () => Promise<T>) => Promise<T>;
}

/**
 * Service side of the command flow: durable work-queue consumer → load (cached) →
 * decide → append with optimistic concurrency (bounded retry) → record the result → reply → ack.
 * A command seen before (same id) is answered from its recorded result or from the
 * events it already caused, so a redelivery after a crash appends nothing twice.
 */
export class CommandProcessor {
  private readonly newId = ulidFactory();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly byType = new Map<string, Decider<any, any, any>>();
  private readonly cache = new Map<string, CachedAggregate<unknown>>();
  /** Tail of the chain of commands in flight per aggregate on this replica. */
  private readonly aggregateQueues = new Map<string, Promise<unknown>>();
  private running = false;
  private stopped?: Promise<void>;
  private stopLoop?: () => void;
  /** Delivered, not acknowledged yet: kept alive until handled. */
  private readonly held = new Set<JsMsg>();
  private keepAlive?: NodeJS.Timeout;

  constructor(private readonly opts: CommandProcessorOptions) {
    for (const decider of opts.deciders) {
      for (const c of decider.commands) {
        if (c.service !== opts.service) throw new Error(`${c.type} belongs to ${c.service}, not ${opts.service}`);
        this.byType.set(c.type, decider);
      }
    }
  }

  get consumerName(): string {
    return `${this.opts.service}-commands`;
  }

  get ackWaitMs(): number {
    return this.opts.ackWaitMs ?? 5_000;
  }

  get maxDeliveries(): number {
    return Math.max(1, this.opts.maxDeliveries ?? MAX_DELIVER);
  }

  async start(): Promise<void> {
    const { broker, service } = this.opts;
    const n = broker.names;
    const ackWait = this.ackWaitMs * 1_000_000;
    await broker.jsm.consumers
      .add(n.streams.commands, {
        durable_name: this.consumerName,
        filter_subject: n.cmdService(service),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ackWait,
        max_deliver: this.maxDeliveries,
        max_ack_pending: 1_000,
      })
      .catch(async (e) => {
        // Exists already (another replica or an earlier start): reuse it, with this ack_wait.
        const info = await broker.jsm.consumers.info(n.streams.commands, this.consumerName).catch(() => {
          throw e;
        });
        if (info.config.ack_wait !== ackWait || info.config.max_deliver !== this.maxDeliveries) {
          await broker.jsm.consumers
            .update(n.streams.commands, this.consumerName, { ack_wait: ackWait, max_deliver: this.maxDeliveries })
            .catch((err) => this.opts.logger.warn({ err, consumer: this.consumerName }, 'could not update the command consumer\'s ack_wait; keeping its own'));
        }
      });
    const consumer = await broker.js.consumers.get(n.streams.commands, this.consumerName);
    this.running = true;
    this.keepAlive = setInterval(() => {
      for (const m of this.held) m.working();
    }, Math.max(100, Math.floor(this.ackWaitMs / 3)));
    this.keepAlive.unref?.();
    this.stopped = this.loop(consumer);
  }

  private async loop(consumer: Consumer): Promise<void> {
    const limit = this.opts.concurrency ?? 32;
    const inFlight = new Set<Promise<void>>();
    // One batch at most waits in the client's buffer (not kept alive there): the rest stay on the server for any replica.
    const messages = await consumer.consume({ max_messages: limit, ...LIVE_PULL });
    this.stopLoop = () => void messages.stop();
    for await (const m of messages) {
      this.held.add(m);
      const p = this.handle(m).finally(() => {
        this.held.delete(m);
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= limit) await Promise.race(inFlight);
      if (!this.running) break;
    }
    await Promise.allSettled(inFlight);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopLoop?.();
    await this.stopped;
    clearInterval(this.keepAlive);
  }

  private async handle(m: JsMsg): Promise<void> {
    const started = performance.now();
    // From the command stored in its stream (the server's clock, the same host's in the bench) to here.
    this.opts.onStage?.('delivery', Date.now() - m.info.timestampNanos / 1e6);
    let command: CommandEnvelope;
    try {
      command = this.opts.registry.decodeCommand(m.data);
    } catch (e) {
      // A poison message: nothing to retry. Record why and drop it.
      const reason = e instanceof DecodeError ? `${e.message}: ${e.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : String(e);
      this.opts.logger.warn({ subject: m.subject, seq: m.seq, reason }, 'undecodable command dropped');
      const id = safeCommandId(m);
      if (id) await this.finish(m, { status: 'rejected', commandId: id, code: 'validation', message: reason }, started);
      else m.term();
      return;
    }
    const verdict = commandSubjectVerdict(this.opts.broker.names, this.opts.service, m.subject, command);
    if (!verdict.ok) {
      // Not recorded: the id is the sender's claim, and recording it would answer the real command of that id.
      this.opts.logger.warn({ subject: m.subject, seq: m.seq, type: command.type, reason: verdict.reason }, 'command refused: its subject does not vouch for it');
      await this.finish(m, { status: 'rejected', commandId: command.id, code: 'forbidden', message: verdict.reason }, started, false);
      return;
    }
    const work = async () => {
      try {
        const checking = performance.now();
        const recorded = await this.recordedResult(command.id);
        this.opts.onStage?.('check', performance.now() - checking);
        const reply = recorded ?? (await this.execute(command, m.info.redelivered));
        await this.finish(m, reply, started, !recorded, command);
      } catch (e) {
        if (m.info.deliveryCount >= this.maxDeliveries) {
          // Its last delivery: answer it, so the sender is not left waiting for a reply that never comes.
          const message = `gave up after ${m.info.deliveryCount} tries: ${e instanceof Error ? e.message : String(e)}`.slice(0, 2_000);
          this.opts.logger.error({ err: e, commandId: command.id, type: command.type }, 'command given up');
          await this.finish(m, { status: 'rejected', commandId: command.id, code: 'internal', message }, started, true, command).catch(() => m.term());
          return;
        }
        // Transient (broker or timeout): let it come back.
        this.opts.logger.error({ err: e, commandId: command.id, type: command.type }, 'command failed, will be redelivered');
        m.nak(Math.min(5_000, 250 * m.info.deliveryCount));
      }
    };
    await (this.opts.withContext ? this.opts.withContext(command, work) : work());
  }

  private async execute(command: CommandEnvelope, redelivered: boolean): Promise<CommandReply> {
    const decider = this.byType.get(command.type);
    if (!decider) {
      return { status: 'rejected', commandId: command.id, code: 'internal', message: `${this.opts.service} has no decider for ${command.type}` };
    }
    const aggregate = { type: decider.aggregate, id: decider.aggregateIdOf(command) };
    const key = `${aggregate.type}/${aggregate.id}`;
    return this.serialized(key, () => this.executeOn(command, decider, aggregate, key, redelivered));
  }

  /**
   * Commands on one aggregate run one after another on this replica: they would only
   * conflict with each other. Conflicts left are with other replicas, and retried.
   */
  private async serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.aggregateQueues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.aggregateQueues.set(key, tail);
    void tail.then(() => {
      if (this.aggregateQueues.get(key) === tail) this.aggregateQueues.delete(key);
    });
    return next;
  }

  private async executeOn(
    command: CommandEnvelope,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    decider: Decider<any, any, any>,
    aggregate: { type: Decider<unknown>['aggregate']; id: string },
    key: string,
    redelivered: boolean,
  ): Promise<CommandReply> {
    const maxRetries = this.opts.maxConflictRetries ?? 10;
    let resume = redelivered;
    for (let attempt = 0; ; attempt++) {
      try {
        if (resume) return await this.resumeOrExecute(command, decider, aggregate);
        const loading = performance.now();
        const current = await this.current(decider, aggregate);
        const deciding = performance.now();
        this.opts.onStage?.('load', deciding - loading);
        const events = decider.decide(command, current.state);
        this.opts.onStage?.('decide', performance.now() - deciding);
        return await this.appendAndReply(command, decider, aggregate, current, events, 0, events.length);
      } catch (e) {
        if (isDomainError(e)) {
          return { status: 'rejected', commandId: command.id, code: e.code, message: e.message, details: e.details };
        }
        if (!(e instanceof ConcurrencyError)) throw e;
        this.cache.delete(key);
        // Someone else wrote first; maybe it was this very command on another replica.
        resume = true;
        if (attempt >= maxRetries) {
          return { status: 'rejected', commandId: command.id, code: 'conflict', message: `${key} kept changing; gave up after ${attempt + 1} tries` };
        }
        await sleep(Math.random() * 5 * 2 ** Math.min(attempt, 6));
      }
    }
  }

  /**
   * Full read of the aggregate: if this command already caused events, answer with
   * them, or finish a partial append from where it stopped; otherwise decide afresh.
   */
  private async resumeOrExecute<S>(
    command: CommandEnvelope,
    decider: Decider<S>,
    aggregate: { type: Decider<S>['aggregate']; id: string },
  ): Promise<CommandReply> {
    const { events, lastSeq } = await this.load(decider, aggregate);
    const firstOwn = events.findIndex((e) => e.causationId === command.id);
    if (firstOwn < 0) {
      const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      this.remember(aggregate, { state, lastSeq });
      const decided = decider.decide(command, state);
      return this.appendAndReply(command, decider, aggregate, { state, lastSeq }, decided, 0, decided.length);
    }
    const own = events.filter((e) => e.causationId === command.id);
    const total = own[0].batch?.count ?? own.length;
    if (own.length >= total) {
      this.remember(aggregate, { state: events.reduce((s, e) => decider.evolve(s, e), decider.initialState()), lastSeq });
      return accepted(command, aggregate, own);
    }
    // Partial append: decide again against the state before it, append the rest.
    const before = events.slice(0, firstOwn).reduce((s, e) => decider.evolve(s, e), decider.initialState());
    const all = decider.decide(command, before);
    const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
    return this.appendAndReply(command, decider, aggregate, { state, lastSeq }, all.slice(own.length), own.length, total, own);
  }

  private async appendAndReply<S>(
    command: CommandEnvelope,
    decider: Decider<S>,
    aggregate: { type: Decider<S>['aggregate']; id: string },
    current: CachedAggregate<S>,
    decided: ReturnType<Decider<S>['decide']>,
    firstIndex: number,
    total: number,
    earlier: RecordedEvent[] = [],
  ): Promise<CommandReply> {
    const stamped = stampEvents(command, aggregate, decided, this.newId, firstIndex, total);
    const appending = performance.now();
    const { seqs, lastSeq } = stamped.length
      ? await this.opts.store.append(aggregate, stamped, { expectedLastSeq: current.lastSeq, msgIdBase: command.id, firstIndex })
      : { seqs: [], lastSeq: current.lastSeq };
    this.opts.onStage?.('append', performance.now() - appending);
    const recorded = stamped.map((e, i) => ({ ...e, position: { seq: seqs[i] } }));
    const state = recorded.reduce((s, e) => decider.evolve(s, e as EventEnvelope), current.state);
    this.remember(aggregate, { state, lastSeq });
    return accepted(command, aggregate, [...earlier, ...recorded]);
  }

  private async current<S>(decider: Decider<S>, aggregate: { type: string; id: string }): Promise<CachedAggregate<S>> {
    const key = `${aggregate.type}/${aggregate.id}`;
    const cached = this.cache.get(key) as CachedAggregate<S> | undefined;
    if (cached) return cached; // may be stale: the append's expected sequence finds out
    const { events, lastSeq } = await this.load(decider, aggregate as { type: Decider<S>['aggregate']; id: string });
    const state = events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
    return { state, lastSeq };
  }

  private load<S>(decider: Decider<S>, aggregate: { type: Decider<S>['aggregate']; id: string }) {
    return decider.stateFrom === 'aggregate_type' ? this.opts.store.loadAcrossType(aggregate) : this.opts.store.load(aggregate);
  }

  private remember(aggregate: { type: string; id: string }, value: CachedAggregate<unknown>): void {
    const key = `${aggregate.type}/${aggregate.id}`;
    this.cache.delete(key);
    this.cache.set(key, value);
    const max = this.opts.cacheSize ?? 10_000;
    if (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
  }

  private async recordedResult(commandId: string): Promise<CommandReply | null> {
    const kv = await this.opts.broker.quickKv(this.opts.broker.names.kv.commandResults);
    const entry = await untilAnswered(() => kv.get(resultKey(commandId)));
    return entry && entry.operation === 'PUT' ? (entry.json() as CommandReply) : null;
  }

  private async finish(m: JsMsg, reply: CommandReply, started: number, record = true, command?: CommandEnvelope): Promise<void> {
    const replyTo = m.headers?.get(REPLY_HEADER);
    const body = JSON.stringify(reply);
    // Accepted with events: those are durable in the log, so the sender is answered now and the
    // record written after — a redelivery before it is written answers the same from the events
    // (resumeOrExecute). Any other outcome is recorded first: decided again, it could differ.
    const early = !!replyTo && reply.status === 'accepted' && reply.events.length > 0;
    if (early) this.sendReply(replyTo, body);
    if (record) {
      const recording = performance.now();
      const kv = await this.opts.broker.quickKv(this.opts.broker.names.kv.commandResults);
      await untilAnswered(() => kv.put(resultKey(reply.commandId), body));
      this.opts.onStage?.('record', performance.now() - recording);
    }
    if (replyTo && !early) this.sendReply(replyTo, body);
    m.ack();
    const ms = performance.now() - started;
    this.opts.onStage?.('total', ms);
    this.opts.onOutcome?.(reply, ms, command && { type: command.type });
  }

  private sendReply(replyTo: string, body: string): void {
    const sending = performance.now();
    this.opts.broker.nc.publish(replyTo, body);
    this.opts.onStage?.('reply', performance.now() - sending);
  }
}

function accepted(command: CommandEnvelope, aggregate: { type: string; id: string }, events: RecordedEvent[] | (EventEnvelope & { position: { seq: number } })[]): CommandReply {
  const evs = events.map((e) => ({ id: e.id, type: e.type, seq: e.position.seq }));
  return { status: 'accepted', commandId: command.id, aggregate, events: evs, seq: evs.reduce((m, e) => Math.max(m, e.seq), 0) };
}

/** KV keys allow `[-/_=.a-zA-Z0-9]`; command ids (client idempotency keys) are hex-encoded when they stray. */
export function resultKey(commandId: string): string {
  return /^[-_=a-zA-Z0-9]+$/.test(commandId) ? commandId : `x.${Buffer.from(commandId).toString('hex')}`;
}

function safeCommandId(m: JsMsg): string | null {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(m.data)) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length > 0 && parsed.id.length <= 200 ? parsed.id : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

