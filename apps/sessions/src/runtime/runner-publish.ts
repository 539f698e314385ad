import { headers } from '@nats-io/transport-node';
import { RUNNER_DIRECTED, type RunnerDirected } from '@baton/events';
import type { Broker } from '@baton/event-store';

export const SESSION_ID_HEADER = 'Baton-Session-Id';
export const MESSAGE_ID_HEADER = 'Baton-Message-Id';

export class InvalidRunnerMessage extends Error {
  override readonly name = 'InvalidRunnerMessage';
}

/**
 * Publishes one message to one runner on `<ns>.cmd.runner.<runnerId>.<type>` (libs/events
 * runner-directed.ts), validated first. `msgId` is derived from what caused it: JetStream's
 * duplicate window drops a second publish of the same message.
 */
export async function publishToRunner(broker: Broker, message: RunnerDirected, msgId: string): Promise<void> {
  const parsed = RUNNER_DIRECTED[message.type].safeParse(message.data);
  if (!parsed.success) throw new InvalidRunnerMessage(`the ${message.type} message is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const h = headers();
  if ('sessionId' in message.data) h.set(SESSION_ID_HEADER, message.data.sessionId);
  h.set(MESSAGE_ID_HEADER, msgId);
  await broker.js.publish(broker.names.cmdRunner(message.runnerId, message.type), JSON.stringify(parsed.data), { msgID: msgId, headers: h });
}
