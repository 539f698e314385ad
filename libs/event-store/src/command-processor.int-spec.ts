import { ulid } from 'ulid';
import { CreateProject, ProjectCreated, registry, type CommandEnvelope, type Decider } from '@baton/events';
import { createTestNamespace, type TestNamespace } from '@baton/testing';
import { Broker, CommandBus, CommandProcessor, EventStore, silentLogger } from './index';

/** The least decider there is: `project.create` → `project.created`, once per project. */
const created: Decider<boolean> = {
  aggregate: 'project',
  commands: [CreateProject],
  aggregateIdOf: (c: CommandEnvelope) => (c.data as { projectId: string }).projectId,
  initialState: () => false,
  decide: (c: CommandEnvelope) => {
    const d = c.data as { name: string; repository: { location: string; defaultBranch: string } };
    return [ProjectCreated({ name: d.name, repository: d.repository, concurrencyLimit: null, env: {} })];
  },
  evolve: () => true,
};

const actor = { kind: 'user' as const, id: 'tester' };
const create = (name: string) => ({ projectId: ulid(), name, repository: { location: '/srv/x', defaultBranch: 'main' }, concurrencyLimit: null, env: {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/*
 * ack_wait is short (a command caught on a replica that died comes back within seconds) and a
 * command still being handled is kept alive with working(), so it is never handed out twice.
 */
describe('the command processor and ack_wait', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let sut: CommandProcessor | undefined;

  beforeEach(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
  });
  afterEach(async () => {
    await sut?.stop();
    sut = undefined;
    await broker?.close();
    await ns?.cleanup();
  });

  it('keeps a command that takes longer than ack_wait alive: handled once, never redelivered', async () => {
    const handled: string[] = [];
    sut = new CommandProcessor({
      service: 'tasks',
      broker,
      store,
      registry,
      deciders: [created],
      logger: silentLogger,
      ackWaitMs: 600,
      // Each command takes five times ack_wait before it is decided.
      withContext: async (c, work) => {
        handled.push(c.id);
        await sleep(3_000);
        return work();
      },
    });
    await sut.start();
    const bus = new CommandBus(broker);
    const replies = await Promise.all([1, 2, 3].map((i) => bus.send(CreateProject, create(`slow ${i}`), { actor, timeoutMs: 20_000 })));
    expect(replies.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    await sleep(1_000);
    expect(handled).toHaveLength(3);
    const info = await broker.jsm.consumers.info(broker.names.streams.commands, sut.consumerName);
    expect({ redelivered: info.num_redelivered, ackPending: info.num_ack_pending, ackWait: info.config.ack_wait }).toEqual({ redelivered: 0, ackPending: 0, ackWait: 600_000_000 });
  }, 30_000);

  it('answers a command that keeps failing on its last delivery, rejected with the error, instead of never', async () => {
    let tries = 0;
    const broken: Decider<boolean> = {
      ...created,
      decide: () => {
        tries++;
        throw new Error('the decider is broken');
      },
    };
    sut = new CommandProcessor({ service: 'tasks', broker, store, registry, deciders: [broken], logger: silentLogger, maxDeliveries: 3 });
    await sut.start();
    const reply = await new CommandBus(broker).send(CreateProject, create('never'), { actor, timeoutMs: 20_000 });
    expect(reply).toMatchObject({ status: 'rejected', code: 'internal', message: 'gave up after 3 tries: the decider is broken' });
    expect(tries).toBe(3);
    const info = await broker.jsm.consumers.info(broker.names.streams.commands, sut.consumerName);
    expect({ ackPending: info.num_ack_pending, maxDeliver: info.config.max_deliver }).toEqual({ ackPending: 0, maxDeliver: 3 });
  }, 30_000);

  it('answers a command that a dead replica took, within about ack_wait, and brings an older consumer to its ack_wait', async () => {
    // An earlier life of the service made the consumer with the old 30 s ack_wait and died holding a command.
    await broker.jsm.consumers.add(broker.names.streams.commands, {
      durable_name: 'tasks-commands',
      filter_subject: broker.names.cmdService('tasks'),
      ack_policy: 'explicit' as never,
      ack_wait: 30_000_000_000,
      max_deliver: 10,
      max_ack_pending: 1_000,
    });
    const bus = new CommandBus(broker);
    const sent = bus.send(CreateProject, create('caught in flight'), { actor, timeoutMs: 20_000 });
    const dead = await (await broker.js.consumers.get(broker.names.streams.commands, 'tasks-commands')).next({ expires: 5_000 });
    expect(dead).not.toBeNull(); // delivered, never acknowledged

    const t0 = Date.now();
    sut = new CommandProcessor({ service: 'tasks', broker, store, registry, deciders: [created], logger: silentLogger, ackWaitMs: 1_000 });
    await sut.start();
    const reply = await sent;
    const took = Date.now() - t0;
    expect(reply.status).toBe('accepted');
    expect(took).toBeLessThan(8_000);
    expect((await broker.jsm.consumers.info(broker.names.streams.commands, 'tasks-commands')).config.ack_wait).toBe(1_000_000_000);
  }, 30_000);
});
