import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { RUNNER_DIRECTED, type RunnerInput, type RunnerMerge, type RunnerStart, type RunnerStop, type RunnerTrain } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

export type DirectedMessage =
  | { type: 'start'; data: RunnerStart }
  | { type: 'stop'; data: RunnerStop }
  | { type: 'input'; data: RunnerInput }
  | { type: 'merge'; data: RunnerMerge }
  | { type: 'train'; data: RunnerTrain };

export class DirectedDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectedDecodeError';
  }
}

/**
 * A message on `<ns>.cmd.runner.<id>.<type>`: the type is the subject's last token, the
 * body the schema's JSON — or an envelope (`{ id, type, …, data: {…} }`) around it.
 */
export function decodeDirected(subject: string, body: Uint8Array): DirectedMessage {
  const type = subject.slice(subject.lastIndexOf('.') + 1);
  if (!(type in RUNNER_DIRECTED)) throw new DirectedDecodeError(`unknown runner message type "${type}"`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw new DirectedDecodeError('body is not JSON');
  }
  const inner = json && typeof json === 'object' && 'data' in json && typeof json.data === 'object' && json.data !== null ? json.data : json;
  const schema = RUNNER_DIRECTED[type as keyof typeof RUNNER_DIRECTED];
  const parsed = schema.safeParse(inner);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new DirectedDecodeError(`invalid ${type}: ${issues.join('; ')}`);
  }
  return { type, data: parsed.data } as DirectedMessage;
}

export interface DirectedHandlers {
  /** `seq` is the message's stream sequence: the same for a redelivery, new for a new start. */
  start(data: RunnerStart, seq: number): Promise<void>;
  stop(data: RunnerStop): Promise<void>;
  input(data: RunnerInput): void;
  /** The autopilot's merge of an attempt this runner holds; answers with its own command. */
  merge(data: RunnerMerge, seq: number): Promise<unknown>;
  /** A merge-train step for a car whose branch this runner holds; answers with its own command. */
  train(data: RunnerTrain, seq: number): Promise<unknown>;
}

export interface DirectedConsumerOptions {
  broker: Broker;
  runnerId: string;
  handlers: DirectedHandlers;
  logger: Logger;
  /** Messages handled at once (a long clone must not hold up another session's input). */
  concurrency?: number;
}

const ACK_WAIT_MS = 30_000;

/**
 * The runner's durable pull consumer on `<NS>_COMMANDS`, filtered to its own subjects.
 * Messages are handled concurrently and acked when their handler is done, so a runner
 * that dies mid-start gets the start again after a restart. A malformed message is logged
 * and terminated; it never reaches a handler and never stops the loop.
 */
export class DirectedConsumer {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: DirectedConsumerOptions) {}

  get name(): string {
    return `runner-${this.o.runnerId}`;
  }

  async start(): Promise<void> {
    const { broker } = this.o;
    const n = broker.names;
    const config = {
      durable_name: this.name,
      filter_subject: n.cmdRunnerAll(this.o.runnerId),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      max_deliver: 20,
      max_ack_pending: 1_000,
    };
    await broker.jsm.consumers.add(n.streams.commands, config).catch(async (e) => {
      await broker.jsm.consumers.info(n.streams.commands, this.name).catch(() => {
        throw e;
      });
    });
    const consumer = await broker.js.consumers.get(n.streams.commands, this.name);
    this.messages = await consumer.consume({ max_messages: 64 });
    this.loop = this.run(this.messages);
  }

  /** Stops fetching and waits for the handlers in flight. */
  async stop(): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const limit = this.o.concurrency ?? 64;
    for await (const m of messages) {
      const p = this.handle(m).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
      if (this.inFlight.size >= limit) await Promise.race(this.inFlight);
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let msg: DirectedMessage;
    try {
      msg = decodeDirected(m.subject, m.data);
    } catch (e) {
      this.o.logger.warn({ subject: m.subject, seq: m.seq, reason: (e as Error).message }, 'malformed runner message terminated');
      m.term((e as Error).message.slice(0, 200));
      return;
    }
    // Long work (a first clone of a big repository) keeps its message from being redelivered meanwhile.
    const keepAlive = setInterval(() => m.working(), ACK_WAIT_MS / 3);
    try {
      if (msg.type === 'start') await this.o.handlers.start(msg.data, m.seq);
      else if (msg.type === 'stop') await this.o.handlers.stop(msg.data);
      else if (msg.type === 'merge') await this.o.handlers.merge(msg.data, m.seq);
      else if (msg.type === 'train') await this.o.handlers.train(msg.data, m.seq);
      else this.o.handlers.input(msg.data);
      m.ack();
    } catch (e) {
      // Handlers report their own failures; reaching here is a bug. Do not loop on it.
      this.o.logger.error({ err: e, subject: m.subject, seq: m.seq }, 'runner message handler failed');
      m.term();
    } finally {
      clearInterval(keepAlive);
    }
  }
}
