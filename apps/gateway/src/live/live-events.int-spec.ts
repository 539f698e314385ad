import { ulid } from 'ulid';
import { Broker, EventStore } from '@baton/event-store';
import { registry, stampEvents, SessionRequested, SessionStatusChanged, TimelineRecorded, type EventEnvelope } from '@baton/events';
import type { LiveErrorMessage, LiveEventMessage } from '@baton/contracts';
import { command, createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { collect, connectLive, next, type LiveClient } from './__tests__/live-client';

describe('live events through the real gateway', () => {
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
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: auth() })).status === 200, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  const auth = (token = ns.token) => ({ authorization: `Bearer ${token}` });
  const call = async <T>(method: string, path: string, body?: unknown, token = ns.token): Promise<T> => {
    const res = await fetch(`${url}/api${path}`, { method, headers: { ...auth(token), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const connect = async (token = ns.token) => {
    const s = await connectLive(url, token);
    sockets.push(s);
    return s;
  };
  const newProject = (env: Record<string, string> = {}) => call<{ id: string; seq: number }>('POST', '/projects', { name: `P ${ulid()}`, repository: { location: '/srv/p' }, env });
  const rename = (id: string, name: string) => call<{ seq: number }>('POST', `/projects/${id}/rename`, { name });
  const subscribe = (s: LiveClient, rooms: string[], sinceSeq?: number) =>
    s.timeout(10_000).emitWithAck('subscribe', { rooms: rooms as `project:${string}`[], ...(sinceSeq === undefined ? {} : { sinceSeq }) });
  const projectSeqs = async (id: string, after: number) => (await store.load({ type: 'project', id }, after)).events.map((e) => e.position.seq);

  it.each([
    ['no token', undefined, /bearer token is required/],
    ['an unknown token', 'btn_not-a-real-token-at-all', /unknown or revoked/],
  ])('refuses a connection with %s', async (_label, token, message) => {
    await expect(connectLive(url, token)).rejects.toThrow(message);
  });

  // How fast is bench/web.js's web.command_to_dom (timing is kept out of pass/fail: a saturated CI machine is normal).
  it('shows every command sent by REST as its event in the project room, in order', async () => {
    const project = await newProject();
    const s = await connect();
    expect(await subscribe(s, [`project:${project.id}`])).toMatchObject({ ok: true, rooms: [`project:${project.id}`] });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const arrived = next(s, 'event', (m) => m.event.type === 'project.renamed' && m.event.data.name === `R${i}`);
      const { seq } = await rename(project.id, `R${i}`);
      const msg = await arrived;
      latencies.push(performance.now() - t0);
      expect(msg).toMatchObject({ seq, event: { aggregate: { type: 'project', id: project.id }, actor: { kind: 'user', id: 'admin' } } });
    }
    latencies.sort((a, b) => a - b);
    if (process.env.BATON_TEST_VERBOSE) console.log(`REST command → socket event: median ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms of 20`);
  });

  it('replays exactly what a reconnecting client missed, then goes live: no gap, no duplicate', async () => {
    const project = await newProject();
    const other = await newProject();
    const first = await connect();
    await subscribe(first, [`project:${project.id}`]);
    const seen = collect(first, 'event');
    await rename(project.id, 'before');
    await eventually(() => seen.length === 1, 5_000, 'the first event');
    const lastSeen = seen[0].seq;
    first.close();

    // Missed while away, interleaved with another project's events (not for this room).
    for (let i = 0; i < 10; i++) {
      await rename(project.id, `away ${i}`);
      await rename(other.id, `elsewhere ${i}`);
    }
    const again = await connect();
    const got = collect(again, 'event');
    // Commands keep coming while the client is handed over from the replay to live.
    const during = (async () => {
      for (let i = 0; i < 10; i++) await rename(project.id, `during ${i}`);
    })();
    const ack = await subscribe(again, [`project:${project.id}`], lastSeen);
    await during;
    expect(ack).toMatchObject({ ok: true });
    const expected = await projectSeqs(project.id, lastSeen);
    await eventually(() => got.length >= expected.length, 10_000, 'every missed and live event');
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => m.seq)).toEqual(expected);
    expect(got.every((m) => m.event.aggregate.id === project.id)).toBe(true);
  });

  it('answers malformed messages with an error naming the field, and keeps the connection', async () => {
    const s = await connect();
    const errors = collect(s, 'error');
    const bad: [string, unknown, string][] = [
      ['subscribe', { rooms: ['nowhere:1'] }, 'rooms[0]'],
      ['subscribe', { rooms: [] }, 'rooms'],
      ['subscribe', 'project:x', '(root)'],
      ['subscribe', { rooms: ['project:a'], sinceSeq: -1 }, 'sinceSeq'],
      ['subscribe', { rooms: ['project:a'], extra: true }, 'extra'],
      ['terminal:attach', { sessionId: 'a.b', cols: 80, rows: 24 }, 'sessionId'],
      ['terminal:attach', { sessionId: 's1', cols: 0, rows: 24 }, 'cols'],
      ['terminal:input', { sessionId: 's1', data: '' }, 'data'],
      ['terminal:ack', { sessionId: 's1', bytes: 'many' }, 'bytes'],
    ];
    for (const [event, body, field] of bad) {
      const before = errors.length;
      (s.emit as (e: string, b: unknown) => void)(event, body);
      await eventually(() => errors.length > before, 5_000, `an error for ${event}`);
      const err = errors[errors.length - 1] as LiveErrorMessage;
      expect(err).toMatchObject({ code: 'validation', on: event });
      expect(err.fields?.map((f) => f.path)).toContain(field);
    }
    (s.emit as (e: string, b: unknown) => void)('subscribe!', {});
    await eventually(() => errors.some((e) => /unknown message "subscribe!"/.test(e.message)), 5_000, 'unknown message');
    expect(s.connected).toBe(true);
    expect(await subscribe(s, ['project:still-works'])).toMatchObject({ ok: true });
  });

  it('never sends env values: a project event shows the variable names only', async () => {
    const project = await newProject({ DB_PASSWORD: 'hunter2-very-secret' });
    const s = await connect();
    const got = collect(s, 'event');
    await subscribe(s, [`project:${project.id}`], project.seq - 1);
    await eventually(() => got.length > 0, 5_000, 'the created event');
    expect(got[0].event).toMatchObject({ type: 'project.created', data: { envKeys: ['DB_PASSWORD'] } });
    expect(JSON.stringify(got)).not.toContain('hunter2');
  });

  it('routes session events to the session room and, through the directory, to its project room', async () => {
    const project = await newProject();
    const sessionId = ulid();
    const byProject = await connect();
    const bySession = await connect();
    const inProject = collect(byProject, 'event');
    const inSession = collect(bySession, 'event');
    await subscribe(byProject, [`project:${project.id}`]);
    const agg = { type: 'session' as const, id: sessionId };
    const append = async (events: EventEnvelope[]) => store.append(agg, events, { expectedLastSeq: await store.lastSeqOf(agg), msgIdBase: ulid() });
    await append(
      stampEvents(command('session.request', {}), agg, [
        SessionRequested({ projectId: project.id, templateId: 'shell', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' }),
      ], ulid),
    );
    await subscribe(bySession, [`session:${sessionId}`]);
    await append(stampEvents(command('session.report', {}), agg, [SessionStatusChanged({ from: 'pending', to: 'spawning', source: 'scheduler', reason: 'placed' })], ulid));
    await append(stampEvents(command('session.report', {}), agg, [TimelineRecorded({ kind: 'milestone', message: 'hello', taskId: null, progress: null, metadata: {} })], ulid));
    await eventually(() => inSession.length === 2 && inProject.length === 3, 5_000, 'session events in both rooms');
    expect(inSession.map((m) => m.event.type)).toEqual(['session.status_changed', 'session.timeline_recorded']);
    expect(inProject.map((m: LiveEventMessage) => m.event.type)).toEqual(['session.requested', 'session.status_changed', 'session.timeline_recorded']);
  });

  it('refuses a room of a session that does not exist', async () => {
    const s = await connect();
    expect(await subscribe(s, ['session:no-such-session'])).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
