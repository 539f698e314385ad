import { AckPolicy, DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { CommandEnvelope, CommandReply, RunnerStart } from '@baton/events';
import { REPLY_HEADER, type Broker } from '@baton/event-store';
import { eventually } from '@baton/testing';

export type Answer = { code: 'conflict' | 'invalid_state'; message: string } | null;

/**
 * Stands in for the sessions service: takes every command sent to `<ns>.cmd.sessions.>`,
 * keeps it, and answers (accepted, or what `answer` says) on the reply subject.
 */
export class FakeSessionsService {
  readonly received: CommandEnvelope<Record<string, unknown>>[] = [];
  /** performance.now() at which each command (by id) arrived. */
  readonly arrivedAt = new Map<string, number>();
  answer: (c: CommandEnvelope<Record<string, unknown>>) => Answer = () => null;
  private messages: ConsumerMessages | null = null;

  constructor(private readonly broker: Broker) {}

  async start(): Promise<void> {
    const { jsm, js, names } = this.broker;
    await jsm.consumers.add(names.streams.commands, {
      durable_name: 'fake-sessions',
      filter_subject: names.cmdService('sessions'),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await js.consumers.get(names.streams.commands, 'fake-sessions');
    this.messages = await consumer.consume({ max_messages: 100 });
    void (async () => {
      for await (const m of this.messages!) {
        const command = m.json<CommandEnvelope<Record<string, unknown>>>();
        this.received.push(command);
        this.arrivedAt.set(command.id, performance.now());
        const a = this.answer(command);
        const reply: CommandReply = a
          ? { status: 'rejected', commandId: command.id, code: a.code, message: a.message }
          : { status: 'accepted', commandId: command.id, aggregate: { type: 'session', id: 'x' }, events: [], seq: 0 };
        const to = m.headers?.get(REPLY_HEADER);
        if (to) this.broker.nc.publish(to, JSON.stringify(reply));
        m.ack();
      }
    })();
  }

  async stop(): Promise<void> {
    await this.messages?.close();
  }

  of(sessionId: string, type?: string): CommandEnvelope<Record<string, unknown>>[] {
    return this.received.filter((c) => c.data.sessionId === sessionId && (!type || c.type === type));
  }

  async waitFor(sessionId: string, type: string, timeoutMs = 15_000, where: (data: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    const c = await eventually(() => this.of(sessionId, type).find((x) => where(x.data)), timeoutMs, `${type} for ${sessionId}`);
    return c.data;
  }
}

export function startMessage(sessionId: string, repository: string, overrides: Partial<RunnerStart> = {}): RunnerStart {
  return {
    sessionId,
    projectId: 'p1',
    run: 0,
    kind: 'command',
    workspace: { kind: 'project' },
    repository: { location: repository, defaultBranch: 'main' },
    launch: { argv: ['bash', '-c', 'echo hi'], env: {}, cwd: '.', files: [] },
    copyFiles: [],
    setupScript: null,
    cleanupScript: null,
    patterns: { ready: null, success: null, error: null, quota: null, parsers: [] },
    initialInput: [],
    size: { cols: 100, rows: 30 },
    agent: null,
    ...overrides,
  };
}
