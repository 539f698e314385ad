import { ulid } from 'ulid';
import type { RunnerStart } from '@baton/events';
import { Broker } from '@baton/event-store';
import { createTestNamespace, type TestNamespace } from '@baton/testing';
import { TerminalReader, type TerminalFrame } from '../terminal';
import { makeRepo, removeTemps } from '../worktree/__tests__/git-fixtures';
import { FakeSessionsService, startMessage } from './fake-sessions-service';

const decode = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/**
 * What a runner process under test talks to: a namespace of its own on the real NATS and
 * Postgres, a fake sessions service that keeps every report, the terminal log, and a project
 * repository; `start`/`type` send it what the sessions service would.
 */
export class RunnerBed {
  private constructor(
    readonly ns: TestNamespace,
    readonly broker: Broker,
    readonly sessions: FakeSessionsService,
    readonly reader: TerminalReader,
    readonly project: string,
  ) {}

  static async open(): Promise<RunnerBed> {
    const ns = await createTestNamespace();
    const broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    const sessions = new FakeSessionsService(broker);
    await sessions.start();
    return new RunnerBed(ns, broker, sessions, new TerminalReader(broker), makeRepo());
  }

  /** A `start` for `runnerId`; resolves with the new session's id. */
  async start(runnerId: string, overrides: Partial<RunnerStart> = {}): Promise<string> {
    const msg = startMessage(ulid(), this.project, overrides);
    await this.broker.js.publish(this.broker.names.cmdRunner(runnerId, 'start'), JSON.stringify(msg));
    return msg.sessionId;
  }

  async type(runnerId: string, sessionId: string, data: string): Promise<void> {
    await this.broker.js.publish(this.broker.names.cmdRunner(runnerId, 'input'), JSON.stringify({ sessionId, data }));
  }

  /** The session's terminal log, chunk by chunk, as text. */
  async chunks(sessionId: string): Promise<{ index: number; text: string }[]> {
    return (await this.reader.read(sessionId)).map((c: TerminalFrame) => ({ index: c.chunk, text: decode(c.data) }));
  }

  async output(sessionId: string): Promise<string> {
    return (await this.chunks(sessionId)).map((c) => c.text).join('');
  }

  /** The runner's entry in the runners bucket, or null. */
  async heartbeat(runnerId: string): Promise<{ at: string; sessions: { sessionId: string }[] } | null> {
    const entry = await (await this.broker.kv(this.broker.names.kv.runners)).get(runnerId);
    return entry?.operation === 'PUT' ? entry.json<{ at: string; sessions: { sessionId: string }[] }>() : null;
  }

  async close(): Promise<void> {
    await this.sessions.stop();
    await this.broker.close();
    await this.ns.cleanup();
    removeTemps();
  }
}
