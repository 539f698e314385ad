import { ulid } from 'ulid';
import { registry, stampEvents, ProjectCreated, ProjectRenamed, USER_DIRECTORY_ID, UserCreated, userIdOf, type EventEnvelope, type NewEvent } from '@baton/events';
import { createTestNamespace, command, type TestNamespace } from '@baton/testing';
import { Broker, ConcurrencyError, EventStore } from './index';

describe(EventStore.name, () => {
  let ns: TestNamespace;
  let broker: Broker;
  let sut: EventStore;

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    sut = new EventStore(broker, registry);
  });
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const project = () => ({ type: 'project' as const, id: ulid() });
  const created = (agg: { type: 'project'; id: string }, cmdId = ulid()): EventEnvelope[] =>
    stampEvents(command('project.create', {}, { id: cmdId }), agg, [
      ProjectCreated({ name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: null, env: {} }),
    ], ulid);
  const renamed = (agg: { type: 'project'; id: string }, name: string): EventEnvelope[] =>
    stampEvents(command('project.rename', {}), agg, [ProjectRenamed({ name, previousName: 'x' })], ulid);

  it('ensures the topology idempotently', async () => {
    await broker.ensureTopology();
    const streams = [];
    for await (const s of broker.jsm.streams.names()) if (s.startsWith(ns.namespace.toUpperCase())) streams.push(s);
    expect(streams.sort()).toEqual([broker.names.streams.commands, broker.names.streams.events, broker.names.streams.terminal].sort());
  });

  it('appends with expected sequence and loads the aggregate back, decoded', async () => {
    const agg = project();
    const first = await sut.append(agg, created(agg), { expectedLastSeq: 0, msgIdBase: ulid() });
    const second = await sut.append(agg, renamed(agg, 'Web 2'), { expectedLastSeq: first.lastSeq, msgIdBase: ulid() });
    const loaded = await sut.load(agg);
    expect(loaded.lastSeq).toBe(second.lastSeq);
    expect(loaded.events.map((e) => e.type)).toEqual(['project.created', 'project.renamed']);
    expect(loaded.events[1].data).toEqual({ name: 'Web 2', previousName: 'x' });
    expect((await sut.load(agg, first.lastSeq)).events.map((e) => e.type)).toEqual(['project.renamed']);
  });

  it('turns a stale expected sequence into a ConcurrencyError and stores nothing', async () => {
    const agg = project();
    const first = await sut.append(agg, created(agg), { expectedLastSeq: 0, msgIdBase: ulid() });
    await sut.append(agg, renamed(agg, 'A'), { expectedLastSeq: first.lastSeq, msgIdBase: ulid() });
    await expect(sut.append(agg, renamed(agg, 'B'), { expectedLastSeq: first.lastSeq, msgIdBase: ulid() })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await sut.load(agg)).events.map((e) => (e.data as { name: string }).name)).toEqual(['Web', 'A']);
  });

  it('stores an event once when the same msg id is appended twice', async () => {
    const agg = project();
    const events = created(agg);
    const a = await sut.append(agg, events, { expectedLastSeq: 0, msgIdBase: 'same-command' + agg.id });
    const b = await sut.append(agg, events, { expectedLastSeq: 0, msgIdBase: 'same-command' + agg.id });
    expect(b.seqs).toEqual(a.seqs);
    expect((await sut.load(agg)).events).toHaveLength(1);
  });

  it('reads a range of the global log in order', async () => {
    const from = (await sut.lastSeq()) + 1;
    const aggs = [project(), project(), project()];
    for (const agg of aggs) await sut.append(agg, created(agg), { expectedLastSeq: 0, msgIdBase: ulid() });
    const seen = [];
    for await (const e of sut.read({ fromSeq: from })) seen.push(e);
    expect(seen.map((e) => e.aggregate.id)).toEqual(aggs.map((a) => a.id));
    expect(seen.map((e) => e.position.seq)).toEqual([from, from + 1, from + 2]);
  });

  it('loads every subject of a type in log order, with its own subject\'s sequence as the token', async () => {
    const user = (id: string) => ({ type: 'user' as const, id });
    const directory = user(USER_DIRECTORY_ID);
    const append = (agg: { type: 'user'; id: string }, e: NewEvent, expectedLastSeq = 0) =>
      sut.append(agg, stampEvents(command('user.create', {}), agg, [e], ulid), { expectedLastSeq, msgIdBase: ulid() });
    expect(await sut.loadAcrossType(directory)).toEqual({ events: [], lastSeq: 0 });
    await append(user('ua'), UserCreated({ name: 'A', role: 'admin' }));
    const other = project();
    await sut.append(other, created(other), { expectedLastSeq: 0, msgIdBase: ulid() });
    await append(user('ub'), UserCreated({ name: 'B', role: 'viewer' }));
    const before = await sut.loadAcrossType(directory);
    expect({ users: before.events.map(userIdOf), lastSeq: before.lastSeq }).toEqual({ users: ['ua', 'ub'], lastSeq: 0 });
    const first = await append(directory, UserCreated({ userId: 'uc', name: 'C', role: 'viewer' }));
    await append(user('ud'), UserCreated({ name: 'D', role: 'viewer' }));
    const after = await sut.loadAcrossType(directory);
    expect({ users: after.events.map(userIdOf), lastSeq: after.lastSeq }).toEqual({ users: ['ua', 'ub', 'uc', 'ud'], lastSeq: first.lastSeq });
  });

  it('refuses to append an event that breaks its schema', async () => {
    const agg = project();
    const bad = renamed(agg, 'ok').map((e) => ({ ...e, data: { name: 7 } }));
    await expect(sut.append(agg, bad, { expectedLastSeq: 0, msgIdBase: ulid() })).rejects.toThrow(/invalid data/);
    expect(await sut.lastSeqOf(agg)).toBe(0);
  });
});
