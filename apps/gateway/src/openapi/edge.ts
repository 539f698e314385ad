import { Inject, Injectable } from '@nestjs/common';
import type { CommandDefinition } from '@baton/events';
import { CommandBus } from '@baton/event-store';
import type { CommandAccepted } from '@baton/contracts';
import { rejected } from '../http/api-error';
import { normalKey, type WriteContext } from './ids';

export { newId, subKey, type WriteContext } from './ids';

/** Sends a command and answers CommandAccepted, or throws the rejection as its HTTP error. */
@Injectable()
export class CommandSender {
  constructor(@Inject(CommandBus) private readonly bus: CommandBus) {}

  async send(def: CommandDefinition, data: unknown, ctx: WriteContext, id: string): Promise<CommandAccepted> {
    const reply = await this.bus.send(def, data, { id: ctx.key === undefined ? undefined : normalKey(ctx.key), actor: ctx.actor });
    if (reply.status === 'rejected') throw rejected(reply);
    return { id, commandId: reply.commandId, seq: reply.seq, events: reply.events };
  }
}

/** Several accepted commands of one request, as one answer. */
export function combine(id: string, parts: readonly CommandAccepted[]): CommandAccepted {
  const last = parts[parts.length - 1];
  return { id, commandId: last.commandId, seq: Math.max(0, ...parts.map((p) => p.seq)), events: parts.flatMap((p) => p.events) };
}
