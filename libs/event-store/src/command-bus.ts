import { createHash } from 'node:crypto';
import { createInbox, headers } from '@nats-io/transport-node';
import { monotonicFactory } from 'ulid';
import type { Actor, CommandDefinition, CommandEnvelope, CommandReply } from '@baton/events';
import type { Broker } from './broker';
import { CommandTimeoutError } from './errors';
import { resultKey } from './command-processor';
import { untilAnswered } from './until-answered';

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
}

/**
 * Edge side of the command flow: publish to `<NS>_COMMANDS` with the command id as
 * Nats-Msg-Id and a reply subject, then wait (bounded) for accepted/rejected.
 * A resent id is de-duplicated by JetStream and answered from the recorded result.
 */
export class CommandBus {
  private readonly newId = monotonicFactory();

  constructor(private readonly broker: Broker) {}

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
    const { nc, names } = this.broker;
    const inbox = createInbox(this.broker.inboxPrefix);
    const sub = nc.subscribe(inbox, { max: 1, timeout: timeoutMs });
    const replied = (async () => {
      for await (const m of sub) return m.json<CommandReply>();
      return null;
    })().catch(() => null);
    const h = headers();
    h.set(REPLY_HEADER, inbox);
    // Repeated while the commands stream elects a leader; a try stored after all comes back as a duplicate.
    const ack = await untilAnswered(() => this.broker.quickJs.publish(names.cmd(def.service, def.type), JSON.stringify(command), { msgID: id, headers: h }));
    if (ack.duplicate) {
      sub.unsubscribe();
      return this.awaitRecorded(id, timeoutMs);
    }
    const reply = await replied;
    return reply ?? this.awaitRecorded(id, 0);
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
