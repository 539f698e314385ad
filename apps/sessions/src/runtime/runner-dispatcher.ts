import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JsMsg } from '@nats-io/jetstream';
import { DomainError, isSessionEvent, type RecordedEvent, type RunnerDirected, type SessionEvent } from '@baton/events';
import { lastTerminalChunk, type Broker, type EventStore, type Logger } from '@baton/event-store';
import type { LeaderRole } from '@baton/service-kit';
import { buildRunnerStart, runnerMessagesFor } from '../launch/runner-messages';
import { DISPATCHER_ACTOR, systemCommand } from '../scheduling/loop-commands';
import { evolveSession, initialSessionState, type SessionState } from '../session/session.state';
import { placedRunners } from '../session/placed-runners';
import type { CommandSender } from './command-sender';
import { PermanentStartError, type StartContextLoader } from './start-context';
import { InvalidRunnerMessage, publishToRunner } from './runner-publish';

export const DISPATCHER_CONSUMER = 'sessions-runner-dispatch';
export { SESSION_ID_HEADER, MESSAGE_ID_HEADER } from './runner-publish';

export interface RunnerDispatcherOptions {
  broker: Broker;
  store: EventStore;
  sender: CommandSender;
  startContext: StartContextLoader;
  logger: Logger;
  confirm: () => Promise<boolean>;
  /** A start whose lookups keep failing this long fails the session (its reason on the timeline). */
  startRetryMs?: number;
  concurrency?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sessions whose events the dispatcher keeps at most; the oldest are forgotten (and loaded when needed). */
const MAX_KNOWN_SESSIONS = 5_000;
/** A session with more events than this is loaded from the log when it is placed again. */
const MAX_KNOWN_EVENTS = 1_000;
/** How long a placement waits for this consumer to deliver the rest of its session's events before loading them. */
const CATCH_UP_MS = 250;
const EXPECTED_LAST_SUBJECT_SEQ = 'Nats-Expected-Last-Subject-Sequence';

/** One session's events as this dispatcher consumed them, complete from its first one. */
interface KnownSession {
  events: RecordedEvent<SessionEvent>[];
  lastSeq: number;
}

/** The placement's decision is not fully in the log yet (its events are appended one by one). */
class IncompleteDecision extends Error {
  override readonly name = 'IncompleteDecision';
}

/**
 * Session events → messages to ONE runner on `<ns>.cmd.runner.<runnerId>.<start|stop|input>`
 * in `<NS>_COMMANDS` (libs/events runner-directed.ts). A durable consumer on the session
 * subjects, consumed by the leader only, so a session's messages leave in the order of its
 * events: per session one after another, sessions side by side. Each message's Nats-Msg-Id
 * is derived from the event (`start-<eventId>`), so a redelivered event publishes nothing
 * twice. A start is built from the session's own events at dispatch time and only for its
 * latest placement still waiting to start; lookups that fail for good fail the session.
 */
export class RunnerDispatcher implements LeaderRole {
  readonly name = 'runner-dispatch';
  private leading = false;
  private loop?: Promise<void>;
  private stopFetch?: () => void;
  private readonly chains = new Map<string, Promise<void>>();
  /**
   * Every session's events since its first, folded from what this consumer delivers, so a
   * placement needs no read of the session's history (a consumer per start: slow in a burst).
   * An event joins only when it follows the last one kept (the expected-last-sequence it was
   * appended with); anything else forgets the session, which is then loaded from the log.
   */
  private readonly known = new Map<string, KnownSession>();

  constructor(private readonly opts: RunnerDispatcherOptions) {}

  private get config(): Partial<ConsumerConfig> & { durable_name: string } {
    const n = this.opts.broker.names;
    return {
      durable_name: DISPATCHER_CONSUMER,
      filter_subject: n.evtAggregate('session'),
      ack_policy: AckPolicy.Explicit,
      ack_wait: 30_000_000_000,
      max_ack_pending: 1_000,
    };
  }

  /** Every replica, at start: the consumer exists from now on (history is never dispatched). */
  async ensureConsumer(): Promise<void> {
    const { jsm, names } = this.opts.broker;
    await jsm.consumers.add(names.streams.events, { ...this.config, deliver_policy: DeliverPolicy.New }).catch(async (e) => {
      await jsm.consumers.info(names.streams.events, DISPATCHER_CONSUMER).catch(() => {
        throw e;
      });
    });
  }

  async onElected(): Promise<void> {
    this.known.clear();
    await this.ensureConsumer();
    await this.restartFromAckFloor();
    this.leading = true;
    this.loop = this.run();
  }

  async onDeposed(): Promise<void> {
    this.leading = false;
    this.stopFetch?.();
    await this.loop;
    await Promise.allSettled([...this.chains.values()]);
    this.known.clear();
  }

  /**
   * Deliveries a previous leader left unacknowledged would come back only after ack_wait,
   * behind newer events of the same session: start again from the ack floor instead
   * (what was already sent is de-duplicated by its message id).
   */
  private async restartFromAckFloor(): Promise<void> {
    const { jsm, names } = this.opts.broker;
    const info = await jsm.consumers.info(names.streams.events, DISPATCHER_CONSUMER);
    if (info.num_ack_pending === 0) return;
    const from = info.ack_floor.stream_seq + 1;
    this.opts.logger.info({ from, unacked: info.num_ack_pending }, 'runner dispatch resumes from its ack floor');
    await jsm.consumers.delete(names.streams.events, DISPATCHER_CONSUMER).catch(() => undefined);
    await jsm.consumers.add(names.streams.events, { ...this.config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
  }

  private async run(): Promise<void> {
    while (this.leading) {
      try {
        await this.consume();
        if (this.leading) await sleep(250); // the subscription ended (reconnect): subscribe again
      } catch (e) {
        if (!this.leading) break;
        this.opts.logger.warn({ err: e }, 'runner dispatch loop failed; retrying');
        await sleep(1_000);
        await this.ensureConsumer().catch(() => undefined);
      }
    }
  }

  private async consume(): Promise<void> {
    const { js, names } = this.opts.broker;
    const limit = this.opts.concurrency ?? 64;
    const consumer = await js.consumers.get(names.streams.events, DISPATCHER_CONSUMER);
    const messages = await consumer.consume({ max_messages: limit });
    this.stopFetch = () => void messages.stop();
    // Deliveries lost with an earlier subscription come back later, out of order: start afresh.
    this.known.clear();
    const prefix = names.evtAggregate('session').slice(0, -1);
    try {
      for await (const m of messages) {
        if (!this.leading) break;
        const key = m.subject.slice(prefix.length);
        const event = this.decode(m);
        if (event) this.remember(key, event, m);
        const next = (this.chains.get(key) ?? Promise.resolve())
          .then(() => this.handle(m, event))
          .catch((e) => this.opts.logger.error({ err: e, seq: m.seq }, 'runner dispatch failed; the event comes back after ack_wait'));
        this.chains.set(key, next);
        void next.finally(() => {
          if (this.chains.get(key) === next) this.chains.delete(key);
        });
        while (this.chains.size >= limit) await Promise.race(this.chains.values());
      }
    } finally {
      this.stopFetch = undefined;
      messages.stop();
    }
  }

  private decode(m: JsMsg): RecordedEvent | null {
    try {
      return this.opts.store.decode(m);
    } catch (e) {
      this.opts.logger.warn({ seq: m.seq, err: e }, 'undecodable event: nothing dispatched');
      return null;
    }
  }

  /** Keeps the event if it continues what is known of its session (or starts it). */
  private remember(sessionId: string, event: RecordedEvent, m: JsMsg): void {
    const known = this.known.get(sessionId);
    const expected = Number(m.headers?.get(EXPECTED_LAST_SUBJECT_SEQ) ?? NaN);
    if (known && m.seq <= known.lastSeq) return; // a redelivery
    if (!isSessionEvent(event)) {
      this.known.delete(sessionId);
      return;
    }
    if (!known) {
      if (expected !== 0 || event.type !== 'session.requested') return; // joined after its start: loaded when needed
      if (this.known.size >= MAX_KNOWN_SESSIONS) this.known.delete(this.known.keys().next().value!);
      this.known.set(sessionId, { events: [event as RecordedEvent<SessionEvent>], lastSeq: m.seq });
      return;
    }
    if (expected !== known.lastSeq || known.events.length >= MAX_KNOWN_EVENTS) {
      this.known.delete(sessionId);
      return;
    }
    known.events.push(event as RecordedEvent<SessionEvent>);
    known.lastSeq = m.seq;
  }

  /**
   * The session's events up to the log's end now: from what this consumer delivered when it
   * has them all (it usually does within moments), else read from the log.
   */
  private async eventsOf(sessionId: string): Promise<RecordedEvent<SessionEvent>[]> {
    const lastSeq = await this.opts.store.lastSeqOf({ type: 'session', id: sessionId });
    const deadline = Date.now() + CATCH_UP_MS;
    for (;;) {
      const known = this.known.get(sessionId);
      if (!known) break;
      if (known.lastSeq >= lastSeq) return known.events.filter((e) => e.position.seq <= lastSeq);
      if (Date.now() > deadline) break;
      await sleep(5);
    }
    const { events } = await this.opts.store.load({ type: 'session', id: sessionId });
    return events.filter(isSessionEvent) as RecordedEvent<SessionEvent>[];
  }

  private async handle(m: JsMsg, event: RecordedEvent | null): Promise<void> {
    if (!event) {
      m.ack();
      return;
    }
    if (!isSessionEvent(event)) {
      m.ack();
      return;
    }
    const done = await this.retrying(m, event as RecordedEvent<SessionEvent>);
    if (done) m.ack();
  }

  /** Retries transient failures in place (keeping the session's order); false: deposed meanwhile. */
  private async retrying(m: JsMsg, event: RecordedEvent<SessionEvent>): Promise<boolean> {
    const started = Date.now();
    const limit = this.opts.startRetryMs ?? 60_000;
    for (let attempt = 0; ; attempt++) {
      if (!this.leading) return false;
      if (!(await this.opts.confirm())) {
        // The lock connection hiccuped: the elector decides whether we still lead.
        m.working();
        await sleep(500);
        continue;
      }
      try {
        await this.dispatch(event);
        return true;
      } catch (e) {
        if (e instanceof IncompleteDecision && Date.now() - started < limit) {
          m.working();
          await sleep(25);
          continue;
        }
        const permanent = e instanceof PermanentStartError || e instanceof DomainError;
        const gaveUp = event.type === 'session.placed' && Date.now() - started > limit;
        if (event.type === 'session.placed' && (permanent || gaveUp)) {
          const failed = await this.failStart(event, e instanceof Error ? e.message : String(e)).then(
            () => true,
            (err) => (this.opts.logger.warn({ err }, 'could not fail the session; retrying'), false),
          );
          if (failed) return true;
        } else if (permanent) {
          this.opts.logger.error({ err: e, sessionId: event.aggregate.id, type: event.type }, 'runner message cannot be sent; dropped');
          return true;
        }
        this.opts.logger.warn({ err: e, sessionId: event.aggregate.id, type: event.type, attempt }, 'runner dispatch failed; retrying');
        m.working();
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  private async dispatch(event: RecordedEvent<SessionEvent>): Promise<void> {
    if (event.type === 'session.placed') return this.start(event as RecordedEvent<Extract<SessionEvent, { type: 'session.placed' }>>);
    for (const message of runnerMessagesFor(event)) await this.publish(message, `${message.type}-${event.id}`);
  }

  private async start(event: RecordedEvent<Extract<SessionEvent, { type: 'session.placed' }>>): Promise<void> {
    const sessionId = event.aggregate.id;
    const own = await this.eventsOf(sessionId);
    const lastPlaced = own.filter((e) => e.type === 'session.placed').pop();
    // Superseded by a later placement (or gone): that one's own event starts it.
    if (!lastPlaced || lastPlaced.id !== event.id) return;
    // A decision is appended one event at a time: wait for the rest of it (the status change).
    const decided = own.filter((e) => e.causationId === event.causationId).length;
    if (event.batch && decided < event.batch.count) throw new IncompleteDecision(`placement of ${sessionId} is still being appended (${decided} of ${event.batch.count})`);
    const state = own.reduce<SessionState>((s, e) => evolveSession(s, e, e.occurredAt), initialSessionState());
    if (state.status !== 'spawning' || state.runnerId !== event.data.runnerId) return;
    const context = await this.opts.startContext.load(sessionId, state, event.position.seq, new Date().toISOString());
    // The runner may not read the terminal log (issue #12): it is told where the session's terminal stands.
    const terminal = await lastTerminalChunk(this.opts.broker, sessionId, placedRunners(own));
    const start = buildRunnerStart(state, { ...context, terminal });
    await this.publish({ type: 'start', runnerId: start.runnerId, data: start.data }, `start-${event.id}`);
  }

  private async publish(message: RunnerDirected, msgId: string): Promise<void> {
    try {
      await publishToRunner(this.opts.broker, message, msgId);
    } catch (e) {
      if (e instanceof InvalidRunnerMessage) throw new PermanentStartError(e.message);
      throw e;
    }
  }

  /** The start cannot be built: the runner never hears of it, the session fails with the reason. */
  private async failStart(event: RecordedEvent<Extract<SessionEvent, { type: 'session.placed' }>>, reason: string): Promise<void> {
    this.opts.logger.error({ sessionId: event.aggregate.id, reason }, 'cannot start session');
    await this.opts.sender.send(
      systemCommand(
        DISPATCHER_ACTOR,
        `sessions-start-failed-${event.id}`,
        'session.record_spawn_failed',
        { sessionId: event.aggregate.id, runnerId: event.data.runnerId, error: `could not prepare the start: ${reason}`.slice(0, 2_000), retryable: false },
        new Date().toISOString(),
      ),
    );
  }
}
