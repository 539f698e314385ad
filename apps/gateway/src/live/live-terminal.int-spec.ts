import { AGENT_TOKEN_REVOCATIONS_TTL_MS, agentTokenRevocationsBucket } from '@baton/agent-auth';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ulid } from 'ulid';
import { headers } from '@nats-io/transport-node';
import { Broker, EventStore } from '@baton/event-store';
import { registry, stampEvents, SessionPlaced, SessionRequested, type EventEnvelope } from '@baton/events';
import { agentTokenPublicKey, signAgentToken } from '@baton/agent-auth';
import { type ResyncMessage, type TerminalDataMessage, type TerminalSnapshotMessage } from '@baton/contracts';
import { command, createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { collect, connectLive, next, type LiveClient } from './__tests__/live-client';
import { MirrorScreen } from './terminal/mirror-screen';

const WINDOW = 64 * 1024;
const RUNNER_SECRET = 'a-runner-secret-of-some-length';
const AGENT_SECRET = 'an-agent-token-secret-for-tests-0123456789';
const encoder = new TextEncoder();
const text = (d: Uint8Array | ArrayBuffer) => Buffer.from(d instanceof ArrayBuffer ? new Uint8Array(d) : d).toString('utf8');

/** What a viewer's terminal shows after the snapshot and the data it received. */
async function screenOf(snapshot: TerminalSnapshotMessage, data: TerminalDataMessage[]): Promise<string> {
  const screen = new MirrorScreen(snapshot.cols, snapshot.rows);
  screen.write(snapshot.data, snapshot.chunk);
  for (const d of data) screen.write(new Uint8Array(d.data instanceof ArrayBuffer ? d.data : d.data), d.chunk);
  const shown = await screen.text();
  screen.dispose();
  return shown;
}

describe('live terminals through the real gateway', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let store: EventStore;
  let url: string;
  let projectId: string;
  let viewerToken: string;
  const sockets: LiveClient[] = [];
  const nextChunk = new Map<string, number>();

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    // What the sessions service (not run here) makes at start: the gateway checks session tokens against it.
    await broker.kv(agentTokenRevocationsBucket(ns.namespace), { ttl: AGENT_TOKEN_REVOCATIONS_TTL_MS, history: 1 });
    store = new EventStore(broker, registry);
    await startService('tasks', ns.env);
    url = (await startService('gateway', { ...ns.env, BATON_LIVE_WINDOW_BYTES: String(WINDOW), BATON_AGENT_TOKEN_PUBLIC_KEY: agentTokenPublicKey(AGENT_SECRET) })).url;
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).status === 200, 20_000, 'the bootstrap admin');
    projectId = (await post<{ id: string }>('/projects', { name: 'Terminals', repository: { location: '/srv/t' } })).id;
    const viewer = await post<{ id: string; token: string }>('/users', { name: 'Vic', role: 'viewer' });
    viewerToken = viewer.token;
    // Users other than admins see the projects they are members of (docs/decisions/0023).
    await post(`/projects/${projectId}/members`, { userId: viewer.id, role: 'operator' });
  }, 60_000);
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await broker?.close();
    await ns?.cleanup();
  });

  async function post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${url}/api${path}`, { method: 'POST', headers: { authorization: `Bearer ${ns.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  const connect = async (token = ns.token, at = url) => {
    const s = await connectLive(at, token);
    sockets.push(s);
    return s;
  };
  const appendSession = async (sessionId: string, events: (agg: { type: 'session'; id: string }) => EventEnvelope[]) => {
    const agg = { type: 'session' as const, id: sessionId };
    await store.append(agg, events(agg), { expectedLastSeq: await store.lastSeqOf(agg), msgIdBase: ulid() });
  };
  const placedOn = new Map<string, string>();
  /** The session placed on a runner, as the scheduler would. */
  const place = async (sessionId: string, runnerId: string) => {
    await appendSession(sessionId, (agg) => stampEvents(command('session.place', {}), agg, [SessionPlaced({ runnerId })], ulid));
    placedOn.set(sessionId, runnerId);
  };
  /** A session as the sessions service would have requested it, placed on runner r0 (one this gateway has no address for). */
  const newSession = async (parentSessionId: string | null = null, role: 'worker' | 'orchestrator' = 'worker') => {
    const sessionId = ulid();
    await appendSession(sessionId, (agg) =>
      stampEvents(command('session.request', {}), agg, [SessionRequested({ projectId, templateId: 'shell', taskIds: [], attemptId: null, parentSessionId, strategy: 'simple', role })], ulid),
    );
    await place(sessionId, 'r0');
    return sessionId;
  };
  /** Acting as the session's runner (or another): one chunk on `<ns>.term.<sid>.<runnerId>` with the runner's headers. */
  const publish = async (sessionId: string, data: string | Uint8Array, runnerId = placedOn.get(sessionId)!, index = nextChunk.get(sessionId) ?? 0) => {
    nextChunk.set(sessionId, Math.max(nextChunk.get(sessionId) ?? 0, index + 1));
    const h = headers();
    h.set('Baton-Offset-Ms', String(index * 10));
    h.set('Baton-Chunk', String(index));
    await broker.js.publish(broker.names.term(sessionId, runnerId), typeof data === 'string' ? encoder.encode(data) : data, { msgID: `${sessionId}:${runnerId}:${index}`, headers: h });
    return index;
  };
  const attach = (s: LiveClient, sessionId: string, cols = 80, rows = 24) => s.timeout(10_000).emitWithAck('terminal:attach', { sessionId, cols, rows });
  const termConsumers = async (sessionId: string) => {
    let n = 0;
    for await (const c of broker.jsm.consumers.list(broker.names.streams.terminal)) if (c.config.filter_subject === broker.names.termOfSession(sessionId)) n++;
    return n;
  };

  it('sends the screen so far, then every new chunk once and in order', async () => {
    const sessionId = await newSession();
    await publish(sessionId, 'line one\r\n');
    await publish(sessionId, 'line two\r\n');
    const s = await connect();
    const data = collect(s, 'terminal:data');
    const snapshot = next(s, 'terminal:snapshot');
    expect(await attach(s, sessionId)).toEqual({ ok: true, sessionId, chunk: 1 });
    const snap = await snapshot;
    expect(snap).toMatchObject({ sessionId, chunk: 1, source: 'log', cols: 120, rows: 36 });
    for (let i = 0; i < 50; i++) await publish(sessionId, `live ${i}\r\n`);
    await eventually(() => data.length === 50, 5_000, 'fifty chunks');
    expect(data.map((d) => d.chunk)).toEqual(data.map((_, i) => i + 2));
    expect(data.map((d) => text(d.data))).toEqual(data.map((_, i) => `live ${i}\r\n`));
    expect((await screenOf(snap, data)).split('\n').slice(-2)).toEqual(['live 48', 'live 49']);
  });

  it('shares one consumer among the viewers of a session and stops it when the last one leaves', async () => {
    const sessionId = await newSession();
    const [a, b] = [await connect(), await connect()];
    await attach(a, sessionId);
    await attach(b, sessionId);
    expect(await termConsumers(sessionId)).toBe(1);
    const gotA = collect(a, 'terminal:data');
    const gotB = collect(b, 'terminal:data');
    await publish(sessionId, 'to both');
    await eventually(() => gotA.length === 1 && gotB.length === 1, 5_000, 'both viewers');
    expect(await a.timeout(5_000).emitWithAck('terminal:detach', { sessionId })).toEqual({ ok: true });
    expect(await termConsumers(sessionId)).toBe(1);
    b.close();
    await eventually(async () => (await termConsumers(sessionId)) === 0, 10_000, 'the consumer to stop');
  });

  it('sends keystrokes to the runner on core NATS, and resizes', async () => {
    const sessionId = await newSession();
    const keys: string[] = [];
    const sizes: string[] = [];
    broker.nc.subscribe(broker.names.input('r0', sessionId), { callback: (_e, m) => void keys.push(m.string()) });
    broker.nc.subscribe(broker.names.resize('r0', sessionId), { callback: (_e, m) => void sizes.push(m.string()) });
    await broker.nc.flush();
    const s = await connect();
    expect(await s.timeout(5_000).emitWithAck('terminal:input', { sessionId, data: 'ls -la\r' })).toEqual({ ok: true });
    expect(await s.timeout(5_000).emitWithAck('terminal:resize', { sessionId, cols: 100, rows: 30 })).toEqual({ ok: true });
    await eventually(() => keys.length === 1 && sizes.length === 1, 5_000, 'keystrokes and size');
    expect(keys).toEqual(['ls -la\r']);
    expect(JSON.parse(sizes[0])).toEqual({ cols: 100, rows: 30 });
  });

  it("takes a session's output only from the runners it was placed on, and sends its keystrokes to the one it is on (issue #12)", async () => {
    const sessionId = await newSession();
    await publish(sessionId, 'real one\r\n', 'r0', 0);
    // A runner that never hosted the session writes under its id, ahead of the session's own runner.
    await publish(sessionId, 'spoofed\r\n', 'r-stranger', 1);
    await publish(sessionId, 'real two\r\n', 'r0', 1);
    const s = await connect();
    const data = collect(s, 'terminal:data');
    const snapshot = next(s, 'terminal:snapshot');
    await attach(s, sessionId);
    const snap = await snapshot;
    expect(snap).toMatchObject({ source: 'log', chunk: 1 });
    expect(await screenOf(snap, [])).toBe('real one\nreal two');

    await publish(sessionId, 'spoofed live\r\n', 'r-stranger', 2);
    await publish(sessionId, 'real three\r\n', 'r0', 2);
    // The stranger's chunk waits for its placement to be known, then is dropped; the real one follows it.
    await eventually(() => data.length === 1, 30_000, 'the real chunk');
    expect(data.map((d) => [d.chunk, text(d.data)])).toEqual([[2, 'real three\r\n']]);

    // Moved to another runner: that runner's output is the session's too, and keystrokes go to it alone.
    await place(sessionId, 'r5');
    await publish(sessionId, 'moved\r\n', 'r5', 3);
    await eventually(() => data.length === 2, 30_000, 'the chunk from the new runner');
    expect(text(data[1].data)).toBe('moved\r\n');
    const keys: string[] = [];
    broker.nc.subscribe(broker.names.inputOfRunner('r0'), { callback: (_e, m) => void keys.push(`r0:${m.string()}`) });
    broker.nc.subscribe(broker.names.inputOfRunner('r5'), { callback: (_e, m) => void keys.push(`r5:${m.string()}`) });
    await broker.nc.flush();
    expect(await s.timeout(5_000).emitWithAck('terminal:input', { sessionId, data: 'for r5\r' })).toEqual({ ok: true });
    await eventually(() => keys.length === 1, 5_000, 'the keystrokes');
    await broker.nc.flush();
    expect(keys).toEqual(['r5:for r5\r']);
  }, 90_000);

  it('lets a viewer watch but not type or resize', async () => {
    const sessionId = await newSession();
    await publish(sessionId, 'watch me\r\n');
    const keys: string[] = [];
    broker.nc.subscribe(broker.names.input('r0', sessionId), { callback: (_e, m) => void keys.push(m.string()) });
    broker.nc.subscribe(broker.names.resize('r0', sessionId), { callback: (_e, m) => void keys.push(m.string()) });
    const s = await connect(viewerToken);
    const errors = collect(s, 'error');
    expect(await attach(s, sessionId, 50, 10)).toMatchObject({ ok: true });
    expect(await s.timeout(5_000).emitWithAck('terminal:input', { sessionId, data: 'rm -rf /\r' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await s.timeout(5_000).emitWithAck('terminal:resize', { sessionId, cols: 50, rows: 10 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await broker.nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(keys).toEqual([]);
    expect(errors.map((e) => [e.code, e.on])).toEqual([
      ['forbidden', 'terminal:input'],
      ['forbidden', 'terminal:resize'],
    ]);
  });

  it('lets an agent watch and type into its workers only, through its session token', async () => {
    const orchestrator = await newSession(null, 'orchestrator');
    const worker = await newSession(orchestrator);
    const stranger = await newSession();
    const keys: string[] = [];
    broker.nc.subscribe(broker.names.input('r0', worker), { callback: (_e, m) => void keys.push(m.string()) });
    await broker.nc.flush();
    const token = signAgentToken({ sessionId: orchestrator, projectId, attemptId: null, taskIds: [], role: 'orchestrator', parentSessionId: null }, AGENT_SECRET);
    const s = await connect(token);
    expect(await attach(s, worker)).toMatchObject({ ok: true });
    expect(await s.timeout(5_000).emitWithAck('terminal:input', { sessionId: worker, data: 'go on\r' })).toEqual({ ok: true });
    await eventually(() => keys.length === 1, 5_000, 'the keystrokes');
    expect(await s.timeout(5_000).emitWithAck('subscribe', { rooms: [`session:${worker}`, `session:${orchestrator}`] })).toMatchObject({ ok: true });
    for (const [event, body] of [
      ['subscribe', { rooms: [`project:${projectId}`] }],
      ['subscribe', { rooms: [`session:${stranger}`] }],
      ['subscribe', { rooms: ['runner:r1'] }],
      ['terminal:attach', { sessionId: stranger, cols: 80, rows: 24 }],
      ['terminal:input', { sessionId: orchestrator, data: 'myself\r' }],
      ['terminal:resize', { sessionId: worker, cols: 80, rows: 24 }],
    ] as const) {
      expect(await (s.timeout(5_000).emitWithAck as (e: string, b: unknown) => Promise<unknown>)(event, body)).toMatchObject({ ok: false, error: { code: 'forbidden', on: event } });
    }
    await expect(connectLive(url, `${token.slice(0, -4)}AAAA`)).rejects.toThrow(/invalid or expired session token/);
  });

  it('pauses a client that stops acknowledging and resyncs it with a fresh screen once it catches up', async () => {
    const sessionId = await newSession();
    const s = await connect();
    const data = collect(s, 'terminal:data');
    const resyncs = collect(s, 'resync');
    await attach(s, sessionId);
    const line = (i: number) => `${String(i).padStart(6, '0')} ${'x'.repeat(1_000)}\r\n`;
    for (let i = 0; i < 200; i++) await publish(sessionId, line(i)); // ~200 KiB, the window is 64 KiB
    await eventually(() => data.length > 0, 5_000, 'some data');
    await new Promise((r) => setTimeout(r, 300));
    const received = data.reduce((n, d) => n + d.data.byteLength, 0);
    expect(received).toBeGreaterThan(WINDOW);
    expect(received).toBeLessThan(WINDOW + 2_000);
    expect(resyncs).toEqual([]);

    s.emit('terminal:ack', { sessionId, bytes: received });
    const resync = (await eventually(() => resyncs[0], 5_000, 'a resync')) as Extract<ResyncMessage, { kind: 'terminal' }>;
    expect(resync).toMatchObject({ kind: 'terminal', sessionId, reason: 'slow_consumer', snapshot: { chunk: 199 } });
    expect(resync.snapshot.data).toContain(line(199).trimEnd().slice(0, 40));
    const before = data.length;
    await publish(sessionId, 'after the resync\r\n');
    await eventually(() => data.length === before + 1, 5_000, 'live again');
    expect(data[before]).toMatchObject({ chunk: 200 });
  });

  describe('with the runner reachable', () => {
    let runner: Server;
    let gatewayUrl: string;
    const asked: { path: string; secret: string | undefined }[] = [];

    beforeAll(async () => {
      runner = createServer((req, res) => {
        asked.push({ path: req.url ?? '', secret: req.headers['x-baton-runner-secret'] as string | undefined });
        const match = /^\/sessions\/([^/]+)\/screen$/.exec(req.url ?? '');
        if (!match || req.headers['x-baton-runner-secret'] !== RUNNER_SECRET) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessionId: match[1], cols: 90, rows: 20, data: 'screen from the runner\r\n$ ', chunk: 0, alternateScreen: false }));
      });
      await new Promise<void>((r) => runner.listen(0, '127.0.0.1', r));
      const runnerUrl = `http://127.0.0.1:${(runner.address() as AddressInfo).port}`;
      // A second gateway, started after the sessions below exist elsewhere: it looks their projects up.
      gatewayUrl = (await startService('gateway', { ...ns.env, BATON_RUNNER_URLS: `r1=${runnerUrl}`, BATON_RUNNER_SECRET: RUNNER_SECRET }, { name: 'gateway-2' })).url;
    }, 60_000);
    afterAll(() => new Promise<void>((r) => runner.close(() => r())));

    it('starts from the runner’s live screen of a session placed on it, then streams', async () => {
      const sessionId = await newSession();
      await place(sessionId, 'r1');
      await publish(sessionId, 'old output\r\n');
      const s = await connect(ns.token, gatewayUrl);
      const data = collect(s, 'terminal:data');
      const snapshot = next(s, 'terminal:snapshot');
      await attach(s, sessionId, 90, 20);
      expect(await snapshot).toMatchObject({ sessionId, source: 'runner', cols: 90, rows: 20, chunk: 0 });
      expect((await snapshot).data).toContain('screen from the runner');
      expect(asked.at(-1)).toEqual({ path: `/sessions/${sessionId}/screen`, secret: RUNNER_SECRET });
      await publish(sessionId, 'new output');
      await eventually(() => data.length === 1, 5_000, 'the next chunk');
      expect(data[0]).toMatchObject({ chunk: 1 });
    });

    it('rebuilds the screen from the log when the runner does not have the session', async () => {
      const sessionId = await newSession();
      await publish(sessionId, 'stored output\r\n');
      const s = await connect(ns.token, gatewayUrl);
      const snapshot = next(s, 'terminal:snapshot');
      await attach(s, sessionId);
      const snap = await snapshot;
      expect(snap).toMatchObject({ source: 'log', chunk: 0 });
      expect(await screenOf(snap, [])).toBe('stored output');
    });
  });
});
