import { ulid } from 'ulid';
import { Broker, EventStore } from '@baton/event-store';
import { registry, stampEvents, SessionRequested, type EventEnvelope } from '@baton/events';
import type { LiveErrorMessage } from '@baton/contracts';
import { command, createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { collect, connectLive, type LiveClient } from '../live/__tests__/live-client';

/**
 * Socket rooms follow project membership (docs/decisions/0023) through the real tasks service,
 * gateway and a real socket.io client: a stranger cannot join a project's or its sessions' rooms,
 * broadcasts reach members only, and a removed member leaves the rooms at once.
 */
describe('live rooms follow project membership', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let url: string;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    store = new EventStore(broker, registry);
    await startService('tasks', ns.env);
    url = (await startService('gateway', ns.env)).url;
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).status === 200, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const call = async <T>(method: string, path: string, body?: unknown, token = ns.token): Promise<T> => {
    const res = await fetch(`${url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const connect = async (token: string) => {
    const s = await connectLive(url, token);
    sockets.push(s);
    return s;
  };
  const user = (name: string, role: 'viewer' | 'operator') => call<{ id: string; token: string }>('POST', '/users', { name, role });
  const newProject = () => call<{ id: string; seq: number }>('POST', '/projects', { name: `P ${ulid()}`, repository: { location: '/srv/p' } });
  const rename = (id: string, name: string) => call<{ seq: number }>('POST', `/projects/${id}/rename`, { name });
  const subscribe = (s: LiveClient, rooms: string[]) => s.timeout(10_000).emitWithAck('subscribe', { rooms: rooms as `project:${string}`[] });
  /** A session of the project, as the sessions service would record its request. */
  const newSession = async (projectId: string) => {
    const agg = { type: 'session' as const, id: ulid() };
    const events: EventEnvelope[] = stampEvents(
      command('session.request', {}),
      agg,
      [SessionRequested({ projectId, templateId: 'shell', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' })],
      ulid,
    );
    await store.append(agg, events, { expectedLastSeq: 0, msgIdBase: ulid() });
    return agg.id;
  };

  it('refuses a stranger the rooms of a project and of its sessions, in the same words as for ones that do not exist', async () => {
    const project = await newProject();
    const sessionId = await newSession(project.id);
    const stranger = await user('Stranger', 'operator');
    const s = await connect(stranger.token);
    const errors = collect(s, 'error');
    const refusals = [
      await subscribe(s, [`project:${project.id}`]),
      await subscribe(s, [`session:${sessionId}`]),
      await subscribe(s, ['project:01NOSUCHPROJECT0000000000']),
      await subscribe(s, ['session:01NOSUCHSESSION00000000000']),
    ];
    expect(refusals.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['not_found', 'not_found', 'not_found', 'not_found']);
    const messages = refusals.map((r) => (r.ok ? '' : r.error.message));
    expect(messages[0].replace(project.id, 'X')).toBe(messages[2].replace('01NOSUCHPROJECT0000000000', 'X'));
    expect(messages[1].replace(sessionId, 'X')).toBe(messages[3].replace('01NOSUCHSESSION00000000000', 'X'));
    await eventually(() => errors.length === 4, 5_000, 'an error event per refusal');
    expect(errors.every((e: LiveErrorMessage) => e.code === 'not_found' && e.on === 'subscribe')).toBe(true);
    const attach = await s.timeout(10_000).emitWithAck('terminal:attach', { sessionId, cols: 80, rows: 24 });
    expect(attach).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(s.connected).toBe(true);
  });

  it('broadcasts a project\'s events to its members only, and takes a removed member out of its rooms at once', async () => {
    const project = await newProject();
    const sessionId = await newSession(project.id);
    const [member, stranger] = await Promise.all([user('Member', 'operator'), user('Stranger 2', 'operator')]);
    await call('POST', `/projects/${project.id}/members`, { userId: member.id, role: 'viewer' });
    const m = await connect(member.token);
    const st = await connect(stranger.token);
    const admin = await connect(ns.token);
    expect(await subscribe(m, [`project:${project.id}`, `session:${sessionId}`])).toMatchObject({ ok: true });
    expect(await subscribe(st, [`project:${project.id}`])).toMatchObject({ ok: false });
    expect(await subscribe(admin, [`project:${project.id}`])).toMatchObject({ ok: true });
    const [byMember, byStranger, byAdmin] = [collect(m, 'event'), collect(st, 'event'), collect(admin, 'event')];
    const memberErrors = collect(m, 'error');

    await rename(project.id, 'Seen by members');
    await eventually(() => byMember.length === 1 && byAdmin.length === 1, 5_000, 'the rename at the member and the admin');
    expect(byStranger).toEqual([]);
    // A viewer member watches but does not type.
    const typed = await m.timeout(10_000).emitWithAck('terminal:input', { sessionId, data: 'ls\r' });
    expect(typed).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/operator role in project/) } });

    await call('DELETE', `/projects/${project.id}/members/${member.id}`);
    await eventually(() => memberErrors.filter((e) => /^left (project|session):/.test(e.message)).length === 2, 5_000, 'the member to leave both rooms');
    const seenBefore = byMember.length;
    await rename(project.id, 'Members only');
    await eventually(() => byAdmin.some((e) => e.event.type === 'project.renamed' && (e.event.data as { name: string }).name === 'Members only'), 5_000, 'the admin to see it');
    await new Promise((r) => setTimeout(r, 200));
    expect(byMember.slice(seenBefore).filter((e) => e.event.type === 'project.renamed')).toEqual([]);
    expect(await subscribe(m, [`project:${project.id}`])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(m.connected).toBe(true);
  });
});
