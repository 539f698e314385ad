import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { CommandEnvelope, DomainEvent, RecordedEvent, Registry } from '@baton/events';
import { LIVE_PULL, type Broker } from './broker';
import type { EventStore } from './event-store';
import type { Logger } from './logger';

export interface Reactor {
  /** Names its durable consumer: `<service>-react-<name>`. */
  name: string;
  /** Pure: the commands an event calls for, ids derived from the event's id. */
  react(event: RecordedEvent<DomainEvent>): CommandEnvelope[] | Promise<CommandEnvelope[]>;
}

/**
 * Turns events into commands (process managers). Each reaction is published to
 * `<NS>_COMMANDS` with the command id as Nats-Msg-Id before the event is acked, so a
 * crash in between resends the same ids and the command processor applies them once.
 * The consumer starts at "now" the first time: history is never re-reacted to.
 */
export class ReactorRunner {
  private stopFn?: () => void;
  private loop?: Promise<void>;
  private running = false;

  constructor(
    private readonly opts: {
      broker: Broker;
      store: EventStore;
      registry: Registry;
      service: string;
      reactors: Reactor[];
      logger: Logger;
      /** As for commands: an event in flight on a replica that died comes back after this; one being handled is kept alive. Default 5 s. */
      ackWaitMs?: number;
    },
  ) {}

  private get ackWaitMs(): number {
    return this.opts.ackWaitMs ?? 5_000;
  }

  private consumerName(r: Reactor): string {
    return `${this.opts.service}-react-${r.name}`;
  }

  async start(): Promise<void> {
    const { broker } = this.opts;
    this.running = true;
    const loops: Promise<void>[] = [];
    const stops: (() => void)[] = [];
    for (const reactor of this.opts.reactors) {
      const name = this.consumerName(reactor);
      await broker.jsm.consumers
        .add(broker.names.streams.events, {
          durable_name: name,
          filter_subject: broker.names.evtAll,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          ack_wait: this.ackWaitMs * 1_000_000,
          max_ack_pending: 1,
        })
        .catch(async (e) => {
          const info = await broker.jsm.consumers.info(broker.names.streams.events, name).catch(() => {
            throw e;
          });
          if (info.config.ack_wait !== this.ackWaitMs * 1_000_000) {
            await broker.jsm.consumers
              .update(broker.names.streams.events, name, { ack_wait: this.ackWaitMs * 1_000_000 })
              .catch((err) => this.opts.logger.warn({ err, consumer: name }, "could not update the reactor consumer's ack_wait; keeping its own"));
          }
        });
      const consumer = await broker.js.consumers.get(broker.names.streams.events, name);
      const messages = await consumer.consume({ max_messages: 100, ...LIVE_PULL });
      stops.push(() => void messages.stop());
      loops.push(
        (async () => {
          for await (const m of messages) await this.handle(reactor, m);
        })(),
      );
    }
    this.stopFn = () => stops.forEach((s) => s());
    this.loop = Promise.allSettled(loops).then(() => undefined);
  }

  private async handle(reactor: Reactor, m: JsMsg): Promise<void> {
    const keepAlive = setInterval(() => m.working(), Math.max(100, Math.floor(this.ackWaitMs / 3)));
    try {
      await this.handleOne(reactor, m);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async handleOne(reactor: Reactor, m: JsMsg): Promise<void> {
    let event: RecordedEvent<DomainEvent>;
    try {
      event = this.opts.store.decode(m) as RecordedEvent<DomainEvent>;
    } catch (e) {
      this.opts.logger.warn({ reactor: reactor.name, seq: m.seq, err: e }, 'undecodable event: no reaction');
      m.ack();
      return;
    }
    try {
      for (const reaction of await reactor.react(event)) {
        const def = this.opts.registry.command(reaction.type);
        if (!def) throw new Error(`reactor ${reactor.name} produced unknown command ${reaction.type}`);
        // Reactions of one event in other reactors (other services too) derive the same
        // `<eventId>:<n>`: the reactor's name keeps their ids apart, for the stream's
        // de-duplication and for the results a processor answers a resent command from.
        const command = { ...reaction, id: reactionCommandId(this.opts.service, reactor.name, reaction.id) };
        await this.opts.broker.js.publish(this.opts.broker.names.cmd(def.service, def.type), JSON.stringify(command), { msgID: command.id });
      }
      m.ack();
    } catch (e) {
      if (!this.running) return;
      this.opts.logger.error({ reactor: reactor.name, seq: m.seq, err: e }, 'reaction failed; will retry');
      m.nak(Math.min(10_000, 500 * m.info.deliveryCount));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopFn?.();
    await this.loop;
  }
}

/** The id a reaction's command is sent with: unique per service and reactor, the same on every redelivery. */
export function reactionCommandId(service: string, reactor: string, id: string): string {
  return `${service}.${reactor}:${id}`;
}
