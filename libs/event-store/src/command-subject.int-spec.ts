import { headers } from '@nats-io/transport-node';
import { RegisterRunner, RunnerRegistered, registry, type CommandEnvelope, type CommandReply, type Decider } from '@baton/events';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { Broker, CommandBus, CommandProcessor, EventStore, REPLY_HEADER, resultKey, runnerActor, runnerCommandSubject, silentLogger } from './index';

/** `runner.register` → `runner.registered`: a report whose data names its runner. */
const registrations: Decider<boolean> = {
  aggregate: 'runner',
  commands: [RegisterRunner],
  aggregateIdOf: (c: CommandEnvelope) => (c.data as { runnerId: string }).runnerId,
  initialState: () => false,
  decide: (c: CommandEnvelope) => {
    const d = c.data as { hostname: string; capacity: number; labels: Record<string, string>; version: string | null };
    return [RunnerRegistered({ hostname: d.hostname, capacity: d.capacity, labels: d.labels, version: d.version })];
  },
  evolve: () => true,
};

const registration = (runnerId: string) => ({ runnerId, hostname: 'h', capacity: 1, labels: {}, version: null });

/*
 * Issue #12: a runner's NATS user may publish only `….from.<its id>` subjects of its report
 * types. The processor takes a command only when its body agrees with the subject it came on,
 * so those credentials cannot send another type, report as another runner, act as a user, or
 * record a result under someone else's command id.
 */
describe('the command processor takes only what the subject vouches for', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let sut: CommandProcessor;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    sut = new CommandProcessor({ service: 'sessions', broker, store: new EventStore(broker, registry), registry, deciders: [registrations], logger: silentLogger });
    await sut.start();
  });
  afterAll(async () => {
    await sut?.stop();
    await broker?.close();
    await ns?.cleanup();
  });

  /** Publishes a hand-made command as a script with a runner's password would, and waits for the answer. */
  async function raw(subject: string, command: CommandEnvelope): Promise<CommandReply> {
    const inbox = `_INBOX.${command.id.replace(/[^A-Za-z0-9]/g, '')}`;
    const sub = broker.nc.subscribe(inbox, { max: 1, timeout: 15_000 });
    const h = headers();
    h.set(REPLY_HEADER, inbox);
    await broker.js.publish(subject, JSON.stringify(command), { msgID: command.id, headers: h });
    for await (const m of sub) return m.json<CommandReply>();
    throw new Error('no answer');
  }
  const envelope = (id: string, over: Partial<CommandEnvelope> = {}): CommandEnvelope => ({
    id,
    type: RegisterRunner.type,
    actor: runnerActor('r1'),
    correlationId: id,
    issuedAt: new Date().toISOString(),
    data: registration('r1'),
    ...over,
  });
  const eventsOf = async (runnerId: string) => (await new EventStore(broker, registry).load({ type: 'runner', id: runnerId })).events.length;

  it("accepts a runner's own report sent through the bus on its `.from.` subject", async () => {
    const reply = await new CommandBus(broker).send(RegisterRunner, registration('r1'), { actor: runnerActor('r1'), id: 'register-1', fromRunner: 'r1' });
    expect(reply).toMatchObject({ status: 'accepted', aggregate: { type: 'runner', id: 'r1' } });
  });

  it('refuses, appends nothing for and records no result of a report as another runner, as a user, or under a foreign id', async () => {
    const from = runnerCommandSubject(broker.names, 'sessions', RegisterRunner.type, 'r1');
    const cases: [string, CommandEnvelope, RegExp][] = [
      [from, envelope('system:runner:r1:as-r2', { data: registration('r2') }), /runner r1 may not report for runner r2/],
      [from, envelope('system:runner:r1:as-user', { actor: { kind: 'user', id: 'admin' } }), /must have actor runner:r1/],
      [from, envelope('user:admin:their-key', {}), /id starting system:runner:r1:/],
      // The type in the body is not the type the subject names.
      [runnerCommandSubject(broker.names, 'sessions', 'session.record_exit', 'r1'), envelope('system:runner:r1:retyped'), /runner.register command must be sent on/],
    ];
    for (const [subject, command, reason] of cases) {
      expect(await raw(subject, command)).toMatchObject({ status: 'rejected', code: 'forbidden', message: expect.stringMatching(reason) });
      const results = await broker.kv(broker.names.kv.commandResults);
      expect(await results.get(resultKey(command.id))).toBeNull();
    }
    expect(await eventsOf('r2')).toBe(0);
    // The consumer moved on: nothing is left pending or redelivered.
    await eventually(async () => (await broker.jsm.consumers.info(broker.names.streams.commands, sut.consumerName)).num_ack_pending === 0, 10_000, 'no command pending');
  });
});
