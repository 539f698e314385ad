import type { CommandEnvelope, Registry } from '@baton/events';
import type { Broker, Logger } from '@baton/event-store';

/**
 * Publishes the loops' commands to `<NS>_COMMANDS` with the command id as Nats-Msg-Id
 * (as the reactor runner does) and does not wait for the outcome: the deciders' answers
 * show in the read model the next tick reads.
 */
export class CommandSender {
  constructor(
    private readonly broker: Broker,
    private readonly registry: Registry,
    private readonly logger: Logger,
  ) {}

  async send(command: CommandEnvelope): Promise<void> {
    const def = this.registry.command(command.type);
    if (!def) throw new Error(`unknown command ${command.type}`);
    await this.broker.js.publish(this.broker.names.cmd(def.service, def.type), JSON.stringify(command), { msgID: command.id });
  }

  /** Sends all; one that fails is logged and tried again by the next tick. */
  async sendAll(commands: CommandEnvelope[]): Promise<number> {
    const results = await Promise.allSettled(commands.map((c) => this.send(c)));
    let sent = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') sent++;
      else this.logger.warn({ err: r.reason, commandId: commands[i].id, type: commands[i].type }, 'could not send a command; next tick retries');
    });
    return sent;
  }
}
