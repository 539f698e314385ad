import { ulid } from 'ulid';
import { ProjectCreated, registry, stampEvents, type RecordedEvent } from '@baton/events';
import { command, eventually, newNamespaceName, startNatsServer } from '@baton/testing';
import { Broker, EventStore } from './index';

describe('the event log on its own nats-server, killed for real', () => {
  it('keeps every acknowledged append across kill -9 and restart of the server', async () => {
    const server = await startNatsServer();
    const namespace = newNamespaceName();
    let broker = await Broker.connect({ servers: server.url, namespace });
    await broker.ensureTopology();
    let store = new EventStore(broker, registry);
    const acked: number[] = [];
    for (let i = 0; i < 50; i++) {
      const agg = { type: 'project' as const, id: ulid() };
      const c = command('project.create', {});
      const events = stampEvents(c, agg, [ProjectCreated({ name: `P${i}`, repository: { location: '/r', defaultBranch: 'main' }, concurrencyLimit: null, env: {} })], ulid);
      acked.push(...(await store.append(agg, events, { expectedLastSeq: 0, msgIdBase: c.id })).seqs);
    }
    await broker.close();
    await server.kill9();

    const again = await startNatsServer({ port: server.port, storeDir: server.storeDir });
    try {
      broker = await Broker.connect({ servers: again.url, namespace });
      store = new EventStore(broker, registry);
      const seen: number[] = [];
      for await (const e of store.read()) seen.push(e.position.seq);
      expect(seen).toEqual(acked);
      await broker.close();
    } finally {
      await again.kill9();
    }
  });

  it('follows the log live from a sequence', async () => {
    const server = await startNatsServer();
    const broker = await Broker.connect({ servers: server.url, namespace: newNamespaceName() });
    try {
      await broker.ensureTopology();
      const store = new EventStore(broker, registry);
      const append = async (name: string) => {
        const agg = { type: 'project' as const, id: ulid() };
        const c = command('project.create', {});
        const events = stampEvents(c, agg, [ProjectCreated({ name, repository: { location: '/r', defaultBranch: 'main' }, concurrencyLimit: null, env: {} })], ulid);
        return (await store.append(agg, events, { expectedLastSeq: 0, msgIdBase: c.id })).lastSeq;
      };
      await append('before-1');
      const second = await append('before-2');
      const seen: RecordedEvent[] = [];
      const follower = await store.follow(second, (e) => seen.push(e));
      await append('after');
      await eventually(() => seen.length === 2, 5_000, 'two events');
      follower.stop();
      expect(seen.map((e) => (e.data as { name: string }).name)).toEqual(['before-2', 'after']);
    } finally {
      await broker.close();
      await server.kill9();
    }
  });
});
