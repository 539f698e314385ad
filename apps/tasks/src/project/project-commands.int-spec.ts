import { ulid } from 'ulid';
import { CreateProject, RenameProject, registry, stampEvents, type CommandEnvelope, type CommandReply, type EventEnvelope } from '@baton/events';
import { Broker, CommandBus, CommandProcessor, EventStore, REPLY_HEADER, silentLogger } from '@baton/event-store';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { headers } from '@nats-io/transport-node';
import { projectDecider } from './project.decider';

const repository = { location: '/srv/web', defaultBranch: 'main' };
const actor = { kind: 'user' as const, id: 'tester' };

describe('project commands through the real command runtime', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let bus: CommandBus;
  const processors: CommandProcessor[] = [];
  const brokers: Broker[] = [];

  const processor = async () => {
    const b = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    const p = new CommandProcessor({ service: 'tasks', broker: b, store: new EventStore(b, registry), registry, deciders: [projectDecider], logger: silentLogger });
    processors.push(p);
    brokers.push(b);
    return { p, b };
  };

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
    bus = new CommandBus(broker);
  });
  afterAll(async () => {
    for (const p of processors) await p.stop().catch(() => undefined);
    for (const b of brokers) await b.close();
    await broker?.close();
    await ns?.cleanup();
  });

  const projectEvents = async (id: string) => (await store.load({ type: 'project', id })).events;

  describe('two replicas, concurrent commands on one aggregate', () => {
    beforeAll(async () => {
      for (let i = 0; i < 2; i++) await (await processor()).p.start();
    });

    it('lets exactly one of many concurrent creates of the same project win; the rest are rejected cleanly', async () => {
      const projectId = ulid();
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => bus.send(CreateProject, { projectId, name: `P${i}`, repository }, { actor })),
      );
      const accepted = replies.filter((r) => r.status === 'accepted');
      const rejected = replies.filter((r): r is Extract<CommandReply, { status: 'rejected' }> => r.status === 'rejected');
      expect(accepted).toHaveLength(1);
      expect(rejected).toHaveLength(11);
      expect(new Set(rejected.map((r) => r.code))).toEqual(new Set(['conflict']));
      expect(await projectEvents(projectId)).toHaveLength(1);
    });

    it('answers each of many concurrent senders with its own command\'s outcome (one reply subscription serves them all)', async () => {
      const projectIds = Array.from({ length: 40 }, () => ulid());
      const replies = await Promise.all(projectIds.map((projectId, i) => bus.send(CreateProject, { projectId, name: `Own ${i}`, repository }, { actor, id: `own-${projectId}` })));
      expect(replies.map((r) => [r.status, r.commandId, r.status === 'accepted' ? r.aggregate.id : null])).toEqual(
        projectIds.map((projectId) => ['accepted', `user:tester:own-${projectId}`, projectId]),
      );
    });

    it('retries a losing rename against fresh state: no update is lost, each event names its true predecessor', async () => {
      const projectId = ulid();
      await bus.send(CreateProject, { projectId, name: 'N0', repository }, { actor });
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) => bus.send(RenameProject, { projectId, name: `N${i + 1}` }, { actor })),
      );
      expect(replies.every((r) => r.status === 'accepted')).toBe(true);
      const events = await projectEvents(projectId);
      const renames = events.filter((e) => e.type === 'project.renamed') as EventEnvelope<'project.renamed', { name: string; previousName: string }>[];
      expect(renames).toHaveLength(16);
      let previous = 'N0';
      for (const r of renames) {
        expect(r.data.previousName).toBe(previous);
        previous = r.data.name;
      }
    });
  });

  describe('redelivery', () => {
    const envelope = (data: unknown, id = ulid()): CommandEnvelope => ({
      id,
      type: CreateProject.type,
      actor,
      correlationId: id,
      issuedAt: new Date().toISOString(),
      data,
    });

    it('appends once when the same command arrives twice (past JetStream de-duplication)', async () => {
      const projectId = ulid();
      const command = envelope({ projectId, name: 'Twice', repository, concurrencyLimit: null, env: {} });
      const subject = broker.names.cmd('tasks', CreateProject.type);
      // Different Nats-Msg-Ids: the broker stores both; only Baton's own idempotency stands between them and a double append.
      await broker.js.publish(subject, JSON.stringify(command), { msgID: `${command.id}-a` });
      await broker.js.publish(subject, JSON.stringify(command), { msgID: `${command.id}-b` });
      await eventually(async () => (await projectEvents(projectId)).length === 1, 10_000, 'the first delivery');
      await eventually(async () => (await broker.jsm.consumers.info(broker.names.streams.commands, 'tasks-commands')).num_pending === 0, 10_000, 'both consumed');
      await eventually(async () => (await broker.jsm.consumers.info(broker.names.streams.commands, 'tasks-commands')).num_ack_pending === 0, 10_000, 'both acked');
      expect(await projectEvents(projectId)).toHaveLength(1);
    });
  });
});

describe('a command whose handler appended and then died', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let sut: CommandProcessor | undefined;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
  });
  afterAll(async () => {
    await sut?.stop();
    await broker?.close();
    await ns?.cleanup();
  });

  it('is redelivered and answered from the events it already caused, appending nothing twice', async () => {
    sut = new CommandProcessor({ service: 'tasks', broker, store, registry, deciders: [projectDecider], logger: silentLogger });
    // The durable consumer exists before the processor consumes, as after a crash.
    await broker.jsm.consumers.add(broker.names.streams.commands, {
      durable_name: sut.consumerName,
      filter_subject: broker.names.cmdService('tasks'),
      ack_policy: 'explicit' as never,
      ack_wait: 30_000_000_000,
      max_deliver: 10,
      max_ack_pending: 1_000,
    });
    const projectId = ulid();
    const id = ulid();
    const command: CommandEnvelope = {
      id,
      type: CreateProject.type,
      actor,
      correlationId: id,
      issuedAt: new Date().toISOString(),
      data: { projectId, name: 'Crashy', repository, concurrencyLimit: null, env: {} },
    };
    const inbox = `_INBOX.${ulid()}`;
    const replies: CommandReply[] = [];
    const sub = broker.nc.subscribe(inbox, { callback: (_e, m) => void replies.push(m.json<CommandReply>()) });
    const h = headers();
    h.set(REPLY_HEADER, inbox);
    await broker.js.publish(broker.names.cmd('tasks', CreateProject.type), JSON.stringify(command), { msgID: id, headers: h });

    // "The first replica": takes the message, appends what the decider decided, dies before ack and reply.
    const consumer = await broker.js.consumers.get(broker.names.streams.commands, sut.consumerName);
    const first = await consumer.next({ expires: 5_000 });
    expect(first).not.toBeNull();
    const decided = projectDecider.decide(registry.decodeCommand(first!.data) as never, projectDecider.initialState());
    const stamped = stampEvents(command, { type: 'project', id: projectId }, decided, ulid);
    const appended = await store.append({ type: 'project', id: projectId }, stamped, { expectedLastSeq: 0, msgIdBase: id });
    first!.nak(); // the redelivery a dead consumer gets after ack_wait, without waiting 30 s

    // "The next replica" picks it up.
    await sut.start();
    await eventually(() => replies.length > 0, 10_000, 'a reply');
    sub.unsubscribe();
    expect(replies[0]).toMatchObject({ status: 'accepted', commandId: id, seq: appended.lastSeq });
    expect((await store.load({ type: 'project', id: projectId })).events).toHaveLength(1);
  });
});
