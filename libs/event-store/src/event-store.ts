import { JetStreamApiError, DeliverPolicy, jetstream, type Consumer, type JetStreamClient, type JsMsg, type MsgRequest, type OrderedConsumerOptions, type PubAck } from '@nats-io/jetstream';
import type { AggregateRef, EventEnvelope, RecordedEvent, Registry } from '@baton/events';
import { LIVE_PULL, type Broker } from './broker';
import { ConcurrencyError } from './errors';
import { untilAnswered } from './until-answered';

const WRONG_LAST_SEQUENCE = 10071;
const encoder = new TextEncoder();

export interface AppendOptions {
  /**
   * Stream sequence of the aggregate's last event as the caller saw it (0: none yet).
   * Sent as Nats-Expected-Last-Subject-Sequence: a concurrent writer makes this fail.
   */
  expectedLastSeq: number;
  /** Each event gets Nats-Msg-Id `<msgIdBase>:<index>`, so a retried append is stored once. */
  msgIdBase: string;
  /** Index of the first event within its command's batch (for finishing a partial append). */
  firstIndex?: number;
}

export interface AppendResult {
  seqs: number[];
  lastSeq: number;
}

export interface LoadedStream {
  events: RecordedEvent[];
  /** Stream sequence of the last event (0 if none) — the token for the next append. */
  lastSeq: number;
}

/** Observes appends (metrics); never changes what an append does. */
export interface EventStoreObserver {
  /** After each `append`: how many events, how long it took, and whether it was stored. */
  onAppend?(aggregate: AggregateRef, count: number, ms: number, outcome: 'ok' | 'conflict' | 'error'): void;
}

/**
 * The one adapter that reads and writes the event log (`<NS>_EVENTS`).
 * One subject per aggregate keeps optimistic concurrency on nats-server 2.9.
 */
export class EventStore {
  private quickJs?: JetStreamClient;

  constructor(
    private readonly broker: Broker,
    private readonly registry: Registry,
    private readonly observer: EventStoreObserver = {},
  ) {}

  get stream(): string {
    return this.broker.names.streams.events;
  }

  subjectOf(aggregate: AggregateRef): string {
    return this.broker.names.evt(aggregate.type, aggregate.id);
  }

  /**
   * An ordered consumer on the log. nats-server 2.9 may place a new consumer on a peer that is
   * down (one node of three lost: most creations then never answer), so creation gets a short
   * timeout and is tried again a few times — each try is placed anew.
   */
  private async orderedConsumer(opts: Partial<OrderedConsumerOptions>, attempts = 6): Promise<Consumer> {
    this.quickJs ??= jetstream(this.broker.nc, { timeout: 2_000 });
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.quickJs.consumers.get(this.stream, opts);
      } catch (e) {
        if (!isTimeout(e)) throw e;
        this.placementFailedAt = Date.now();
        if (attempt >= attempts) throw e;
      }
    }
  }

  /** When a consumer could not be placed lately: aggregate reads go message by message meanwhile. */
  private placementFailedAt = 0;

  /** Appends events in order, each expecting the one before; all validated before the first is sent. */
  async append(aggregate: AggregateRef, events: EventEnvelope[], opts: AppendOptions): Promise<AppendResult> {
    if (!this.observer.onAppend) return this.appendEvents(aggregate, events, opts);
    const started = performance.now();
    try {
      const result = await this.appendEvents(aggregate, events, opts);
      this.observer.onAppend(aggregate, events.length, performance.now() - started, 'ok');
      return result;
    } catch (e) {
      this.observer.onAppend(aggregate, events.length, performance.now() - started, e instanceof ConcurrencyError ? 'conflict' : 'error');
      throw e;
    }
  }

  private async appendEvents(aggregate: AggregateRef, events: EventEnvelope[], opts: AppendOptions): Promise<AppendResult> {
    const subject = this.subjectOf(aggregate);
    const payloads = events.map((e) => {
      if (e.aggregate.type !== aggregate.type || e.aggregate.id !== aggregate.id) {
        throw new Error(`event ${e.type} belongs to ${e.aggregate.type}/${e.aggregate.id}, not ${subject}`);
      }
      return encoder.encode(JSON.stringify(this.registry.encodeEvent(e)));
    });
    const seqs: number[] = [];
    let expected = opts.expectedLastSeq;
    for (let i = 0; i < payloads.length; i++) {
      const ack = await this.publish(subject, payloads[i], `${opts.msgIdBase}:${(opts.firstIndex ?? 0) + i}`, expected);
      seqs.push(ack.seq);
      expected = ack.seq;
    }
    return { seqs, lastSeq: expected };
  }

  private async publish(subject: string, payload: Uint8Array, msgID: string, expectedLastSeq: number): Promise<PubAck> {
    try {
      // Short tries (see until-answered.ts): a try that was stored after all is answered from the
      // Nats-Msg-Id de-duplication, which nats-server checks before the expected sequence.
      return await untilAnswered(() => this.broker.quickJs.publish(subject, payload, { msgID, expect: { lastSubjectSequence: expectedLastSeq } }));
    } catch (e) {
      if (e instanceof JetStreamApiError && e.code === WRONG_LAST_SEQUENCE) throw new ConcurrencyError(subject, expectedLastSeq);
      throw e;
    }
  }

  /** Stream sequence of the aggregate's last event, 0 when it has none. */
  async lastSeqOf(aggregate: AggregateRef): Promise<number> {
    const msg = await untilAnswered(() => this.broker.quickJsm.streams.getMessage(this.stream, { last_by_subj: this.subjectOf(aggregate) }));
    return msg?.seq ?? 0;
  }

  /** Events of one aggregate after `afterSeq` (stream sequence), in order. */
  async load(aggregate: AggregateRef, afterSeq = 0): Promise<LoadedStream> {
    const lastSeq = await this.lastSeqOf(aggregate);
    if (lastSeq <= afterSeq) return { events: [], lastSeq: Math.max(lastSeq, afterSeq) };
    const events: RecordedEvent[] = [];
    for await (const event of this.read({ subject: this.subjectOf(aggregate), fromSeq: afterSeq + 1, toSeq: lastSeq })) {
      events.push(event);
    }
    return { events, lastSeq };
  }

  /**
   * Every event of `aggregate`'s type (`<ns>.evt.<type>.*`), in log order, with the sequence of
   * `aggregate`'s own subject as `lastSeq`: for a decider whose state spans the type (`stateFrom`).
   * That sequence is read first: an append landing in between is read here and then conflicts.
   */
  async loadAcrossType(aggregate: AggregateRef): Promise<LoadedStream> {
    const lastSeq = await this.lastSeqOf(aggregate);
    const subject = this.broker.names.evtAggregate(aggregate.type);
    const last = await untilAnswered(() => this.broker.quickJsm.streams.getMessage(this.stream, { last_by_subj: subject }));
    const events: RecordedEvent[] = [];
    if (last) for await (const event of this.read({ subject, fromSeq: 1, toSeq: last.seq })) events.push(event);
    return { events, lastSeq };
  }

  /**
   * Reads the global log (or one subject) from `fromSeq` to `toSeq` inclusive, decoded.
   * Without `toSeq` it stops at the log's end as of the call.
   */
  async *read(opts: { fromSeq?: number; toSeq?: number; subject?: string; batch?: number } = {}): AsyncGenerator<RecordedEvent> {
    const fromSeq = Math.max(1, opts.fromSeq ?? 1);
    const toSeq = opts.toSeq ?? (await this.broker.jsm.streams.info(this.stream)).state.last_seq;
    if (toSeq < fromSeq) return;
    const subject = opts.subject ?? this.broker.names.evtAll;
    // One aggregate's events, while the broker cannot place consumers: ask the stream leader for
    // each next message instead (slower per event, but it needs no consumer at all).
    if (opts.subject && Date.now() - this.placementFailedAt < 30_000) {
      yield* this.readByGet(subject, fromSeq, toSeq);
      return;
    }
    let consumer: Consumer;
    try {
      consumer = await this.orderedConsumer({ filter_subjects: subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq }, opts.subject ? 1 : 6);
    } catch (e) {
      if (!opts.subject || !isTimeout(e)) throw e;
      yield* this.readByGet(subject, fromSeq, toSeq);
      return;
    }
    // A consumer that stops delivering (its node lost mid-read: the ordered consumer is re-created,
    // maybe on a peer that is down) would hold the read forever: one aggregate's read goes on
    // message by message instead, a read of the whole log fails and is retried by its caller.
    let last = fromSeq - 1;
    try {
      for await (const m of this.consumeUntil(consumer, toSeq, opts.batch, opts.subject ? 5_000 : 30_000)) {
        last = m.seq;
        yield this.decode(m);
      }
    } catch (e) {
      if (!opts.subject || !isTimeout(e)) throw e;
      this.placementFailedAt = Date.now();
      yield* this.readByGet(subject, last + 1, toSeq);
    }
  }

  private async *readByGet(subject: string, fromSeq: number, toSeq: number): AsyncGenerator<RecordedEvent> {
    for (let seq = fromSeq; seq <= toSeq; ) {
      // STREAM.MSG.GET takes `next_by_subj` on 2.9 (the client types it for direct gets only).
      const m = await untilAnswered(() => this.broker.quickJsm.streams.getMessage(this.stream, { seq, next_by_subj: subject } as unknown as MsgRequest));
      if (!m || m.seq > toSeq) return;
      yield { ...this.registry.decodeEvent(m.data), position: { seq: m.seq } };
      seq = m.seq + 1;
    }
  }

  /** The raw messages behind `read`; benchmarks and tools that do not decode use it. */
  async *rawRead(opts: { fromSeq: number; toSeq: number; subject: string; batch?: number }): AsyncGenerator<JsMsg> {
    const consumer = await this.orderedConsumer({
      filter_subjects: opts.subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: opts.fromSeq,
    });
    yield* this.consumeUntil(consumer, opts.toSeq, opts.batch);
  }

  /** Messages up to `toSeq`; a TimeoutError when none arrives for `idleMs`. */
  private async *consumeUntil(consumer: Consumer, toSeq: number, batch?: number, idleMs = 30_000): AsyncGenerator<JsMsg> {
    const messages = await consumer.consume({ max_messages: batch ?? 1_000, ...LIVE_PULL });
    const it = messages[Symbol.asyncIterator]();
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
        const r = await Promise.race([it.next(), idle]).finally(() => clearTimeout(timer));
        if (r === 'idle') throw Object.assign(new Error(`no message from the log within ${idleMs} ms`), { name: 'TimeoutError' });
        if (r.done) return;
        yield r.value;
        if (r.value.seq >= toSeq || r.value.info.pending === 0) return;
      }
    } finally {
      messages.stop();
    }
  }

  decode(m: JsMsg): RecordedEvent {
    return { ...this.registry.decodeEvent(m.data), position: { seq: m.seq } };
  }

  /**
   * Follows the log from `fromSeq` (inclusive) until stopped; for live fan-out.
   * Undecodable events are reported to `onError` and skipped, never stop the stream.
   */
  async follow(fromSeq: number, onEvent: (e: RecordedEvent) => void, onError?: (e: unknown, seq: number) => void): Promise<{ stop(): void }> {
    const consumer = await this.orderedConsumer({
      filter_subjects: this.broker.names.evtAll,
      deliver_policy: fromSeq > 0 ? DeliverPolicy.StartSequence : DeliverPolicy.New,
      ...(fromSeq > 0 ? { opt_start_seq: fromSeq } : {}),
    });
    const messages = await consumer.consume({
      ...LIVE_PULL,
      callback: (m) => {
        try {
          onEvent(this.decode(m));
        } catch (e) {
          onError?.(e, m.seq);
        }
      },
    });
    return { stop: () => void messages.stop() };
  }

  async lastSeq(): Promise<number> {
    return (await this.broker.jsm.streams.info(this.stream)).state.last_seq;
  }
}

function isTimeout(e: unknown): boolean {
  return (e as Error | undefined)?.name === 'TimeoutError';
}
