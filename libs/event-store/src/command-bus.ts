import { createHash } from 'node:crypto';
import { createInbox, headers, type Msg } from '@nats-io/transport-node';
import type { Actor, CommandDefinition, CommandEnvelope, CommandReply } from '@baton/events';
import type { Broker } from './broker';
import { CommandTimeoutError } from './errors';
import { resultKey } from './command-processor';
import { runnerCommandSubject } from './command-subject';
import { untilAnswered } from './until-answered';
import { ulidFactory } from './ids';
import type { CommandStageObserver } from './command-stages';

export const REPLY_HEADER = 'Baton-Reply-To';

let ambientCorrelation: () => string | undefined = () => undefined;

/**
 * Where a send without `correlationId` takes one from before falling back to the command's
 * own id: service-kit installs its request/command context here, so a command sent while
 * handling an HTTP request or another command carries that flow's correlation id.
 */
export function setAmbientCorrelation(source: () => string | undefined): void {
  ambientCorrelation = source;
}

export interface SendOptions {
  /**
   * The client's Idempotency-Key, else a fresh id. Keys are scoped to the actor: two
   * users who happen to pick the same key never see each other's outcomes.
   */
  id?: string;
  actor: Actor;
  correlationId?: string;
  timeoutMs?: number;
  /** Sent by this runner: on its own `….from.<runnerId>` subject, the only ones its NATS user may publish (command-subject.ts). */
  fromRunner?: string;
}

/**
 * Edge side of the command flow: publish to `<NS>_COMMANDS` with the command id as
 * Nats-Msg-Id and a reply subject, then wait (bounded) for accepted/rejected.
 * A resent id is de-duplicated by JetStream and answered from the recorded result.
 */
export class CommandBus {
  private readonly newId = ulidFactory();
  /**
   * Replies come to one subscription, `<inbox>.*`, each on its own token: a subscribe and an
   * unsubscribe per command were two protocol messages and a server interest change each.
   */
  private replies?: { prefix: string; waiting: Map<string, (reply: CommandReply | null) => void>; next: number };

  constructor(
    private readonly broker: Broker,
    private readonly onStage?: CommandStageObserver,
  ) {}

  newCommandId(): string {
    return this.newId();
  }

  async send(def: CommandDefinition, data: unknown, opts: SendOptions): Promise<CommandReply> {
    const id = opts.id ? scopedKey(opts.actor, opts.id) : this.newId();
    const command: CommandEnvelope = {
      id,
      type: def.type,
      actor: opts.actor,
      correlationId: opts.correlationId ?? ambientCorrelation() ?? id,
      issuedAt: new Date().toISOString(),
      data,
    };
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const { names } = this.broker;
    const { inbox, replied, cancel } = this.awaitReply(timeoutMs);
    const h = headers();
    h.set(REPLY_HEADER, inbox);
    const subject = opts.fromRunner ? runnerCommandSubject(names, def.service, def.type, opts.fromRunner) : names.cmd(def.service, def.type);
    // Repeated while the commands stream elects a leader; a try stored after all comes back as a duplicate.
    const publishing = performance.now();
    const ack = await untilAnswered(() => this.broker.quickJs.publish(subject, JSON.stringify(command), { msgID: id, headers: h })).catch((e: unknown) => {
      cancel();
      throw e;
    });
    const waiting = performance.now();
    this.onStage?.('publish', waiting - publishing);
    if (ack.duplicate) {
      cancel();
      return this.awaitRecorded(id, timeoutMs);
    }
    const reply = await replied;
    this.onStage?.('wait', performance.now() - waiting);
    return reply ?? this.awaitRecorded(id, 0);
  }

  /** A reply subject of the shared subscription, and its reply (null after `timeoutMs` or when cancelled). */
  private awaitReply(timeoutMs: number): { inbox: string; replied: Promise<CommandReply | null>; cancel: () => void } {
    if (!this.replies) {
      const replies = { prefix: createInbox(this.broker.inboxPrefix), waiting: new Map<string, (reply: CommandReply | null) => void>(), next: 0 };
      this.broker.nc.subscribe(`${replies.prefix}.*`, {
        callback: (err, m: Msg) => {
          if (err) return;
          const done = replies.waiting.get(m.subject.slice(replies.prefix.length + 1));
          if (!done) return; // timed out or cancelled already
          let reply: CommandReply | null = null;
          try {
            reply = m.json<CommandReply>();
          } catch {
            // not a reply: the recorded result answers instead
          }
          done(reply);
        },
      });
      this.replies = replies;
    }
    const { prefix, waiting } = this.replies;
    const token = (this.replies.next++).toString(36);
    let cancel = () => {};
    const replied = new Promise<CommandReply | null>((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (reply: CommandReply | null) => {
        clearTimeout(timer);
        waiting.delete(token);
        resolve(reply);
      };
      waiting.set(token, done);
      cancel = () => done(null);
    });
    return { inbox: `${prefix}.${token}`, replied, cancel };
  }

  /** The outcome recorded for a command id, polled until `timeoutMs`. */
  private async awaitRecorded(id: string, timeoutMs: number): Promise<CommandReply> {
    const kv = await this.broker.quickKv(this.broker.names.kv.commandResults);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entry = await untilAnswered(() => kv.get(resultKey(id)));
      if (entry && entry.operation === 'PUT') return entry.json<CommandReply>();
      if (Date.now() >= deadline) throw new CommandTimeoutError(id, timeoutMs);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `<kind>:<actor>:<key>`, the key hashed when the whole would pass a command id's 200 characters. */
function scopedKey(actor: Actor, key: string): string {
  const plain = `${actor.kind}:${actor.id}:${key}`;
  return plain.length <= 200 ? plain : `${actor.kind}:${actor.id}:sha256:${createHash('sha256').update(key).digest('hex')}`;
}
