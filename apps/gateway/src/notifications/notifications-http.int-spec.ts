import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ulid } from 'ulid';
import { ChannelList, ChannelView, CommandAccepted, DeliveryList, type DeliveryView } from '@baton/contracts';
import { SessionRequested, SessionStatusChanged, stampEvents, type EventEnvelope } from '@baton/events';
import { EventStore } from '@baton/event-store';
import { registry } from '@baton/events';
import { command, eventually, REPO_ROOT, startService } from '@baton/testing';
import { errorOf, fieldsOf, startApi, type Api } from '../openapi/__tests__/api-harness';

const SECRET = 'receiver-shared-secret-1';

interface Received {
  id: string;
  path: string;
  kind: string;
  body: string;
  signed: boolean;
}

/**
 * A real webhook receiver on a loopback port. It records a request only once it answered 200;
 * `dieOnRequest` makes it drop the connection of that request unanswered and stop listening, as
 * a receiver killed mid-way would. It deduplicates nothing: the test counts every id it answered.
 */
class Receiver {
  readonly answered: Received[] = [];
  private server?: Server;
  private requests = 0;
  dieOnRequest: number | null = null;
  /** How long each answer takes: keeps tries in flight while the notifier is stopped. */
  delayMs = 0;

  constructor(public port = 0) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests++;
    if (this.dieOnRequest !== null && this.requests >= this.dieOnRequest) {
      this.dieOnRequest = null;
      req.socket.destroy();
      void this.stop();
      return;
    }
    if (req.url === '/gone') {
      res.writeHead(410).end('this hook was deleted');
      return;
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const ts = String(req.headers['x-baton-timestamp']);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
    res.writeHead(200).end('ok', () => {
      this.answered.push({ id: String(req.headers['x-baton-delivery']), path: req.url ?? '', kind: String(req.headers['x-baton-event']), body, signed: req.headers['x-baton-signature'] === expected });
    });
  }
}

describe('notifications over REST, delivered to a real receiver', () => {
  let api: Api;
  let store: EventStore;
  const receiver = new Receiver();
  const tasksEnv = { BATON_NOTIFY_INTERVAL_MS: '100', BATON_NOTIFY_RETRY_MS: '200', BATON_NOTIFY_MAX_RETRY_MS: '1000', BATON_NOTIFY_MAX_ATTEMPTS: '50', BATON_NOTIFY_TIMEOUT_MS: '2000', BATON_PUBLIC_URL: 'https://baton.example.com' };
  let projectId: string;

  beforeAll(async () => {
    await receiver.start();
    api = await startApi({ tasksEnv });
    store = new EventStore(api.broker, registry);
    const created = await api.call<CommandAccepted>('POST', '/api/projects', { name: `Notify ${ulid()}`, repository: { location: '/srv/notify' } });
    expect(created.status).toBe(201);
    projectId = created.body.id;
  }, 120_000);

  afterAll(async () => {
    await receiver.stop();
    await api?.close();
  });

  const channel = (over: Record<string, unknown> = {}) => ({
    name: 'ops',
    format: 'json',
    url: `${receiver.url}/hook/secret-token-in-path`,
    secret: SECRET,
    projectId,
    rules: { kinds: ['needs_input', 'permission_prompt', 'completed'] },
    ...over,
  });

  /** A session of the project that asks for input, as the sessions service records it. */
  const sessionAsks = async (question: string): Promise<string> => {
    const agg = { type: 'session' as const, id: ulid() };
    const events: EventEnvelope[] = stampEvents(
      command('session.request', {}),
      agg,
      [
        SessionRequested({ projectId, templateId: 'shell', taskIds: [], attemptId: null, parentSessionId: null, strategy: 'simple', role: 'worker' }),
        SessionStatusChanged({ from: 'pending', to: 'needs_input', source: 'agent', reason: question }),
      ],
      ulid,
    );
    await store.append(agg, events, { expectedLastSeq: 0, msgIdBase: ulid() });
    return agg.id;
  };

  const deliveries = async (channelId: string): Promise<DeliveryView[]> => {
    const res = await api.call<DeliveryView[]>('GET', `/api/notifications/deliveries?channelId=${channelId}&limit=500`);
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    return DeliveryList.parse(res.body);
  };

  it('refuses bad channels with 400 naming the field, and changes nothing', async () => {
    const before = await api.logState();
    for (const [body, field] of [
      [channel({ url: 'http://169.254.169.254/latest/meta-data' }), 'url'],
      [channel({ url: 'file:///etc/passwd' }), 'url'],
      [channel({ secret: 'short' }), 'secret'],
      [channel({ format: 'xml' }), 'format'],
      [channel({ rules: { kinds: [] } }), 'rules.kinds'],
      [channel({ rules: { kinds: ['everything'] } }), 'rules.kinds[0]'],
    ] as const) {
      const res = await api.call('POST', '/api/notifications/channels', body);
      expect([res.status, fieldsOf(res)]).toEqual([400, [field]]);
    }
    expect(await api.logState()).toEqual(before);
  });

  it('keeps a channel to its owner and a project channel to operators of the project; never shows the URL path or the secret', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'redaction' }));
    expect(created.status).toBe(201);
    const read = await api.call('GET', `/api/notifications/channels/${created.body.id}?minSeq=${created.body.seq}`);
    expect(read.status).toBe(200);
    expect(ChannelView.parse(read.body).url).toBe(`${receiver.url}/••••`);
    expect(read.text).not.toContain('secret-token-in-path');
    expect(read.text).not.toContain(SECRET);
    const list = await api.call('GET', `/api/notifications/channels?minSeq=${created.body.seq}`);
    expect(ChannelList.parse(list.body).map((c) => c.id)).toContain(created.body.id);
    expect(list.text).not.toContain(SECRET);

    const stranger = await api.user('operator');
    const theirs = await api.call('GET', `/api/notifications/channels/${created.body.id}?minSeq=${created.body.seq}`, undefined, { token: stranger });
    expect([theirs.status, errorOf(theirs).code]).toEqual([404, 'not_found']);
    const remove = await api.call('DELETE', `/api/notifications/channels/${created.body.id}?minSeq=${created.body.seq}`, undefined, { token: stranger });
    expect(remove.status).toBe(404);
    // Not a member of the project: its channel cannot be made, and the project stays hidden.
    const projectChannel = await api.call('POST', '/api/notifications/channels', channel(), { token: stranger });
    expect(projectChannel.status).toBe(404);
    const viewer = await api.user('viewer', projectId);
    expect((await api.call('POST', '/api/notifications/channels', channel({ projectId: null }), { token: viewer })).status).toBe(403);
    expect((await api.call('DELETE', `/api/notifications/channels/${created.body.id}?minSeq=${created.body.seq}`)).status).toBe(200);
  });

  it('sends a test on request, signed, to that channel only', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'test', url: `${receiver.url}/test` }));
    const test = await api.call<CommandAccepted>('POST', `/api/notifications/channels/${created.body.id}/test?minSeq=${created.body.seq}`);
    expect(test.status).toBe(201);
    const got = await eventually(() => receiver.answered.find((r) => r.path === '/test'), 15_000, 'the test notification');
    expect(got).toMatchObject({ kind: 'test', signed: true });
    const [logged] = await eventually(async () => {
      const ds = await deliveries(created.body.id);
      return ds.length && ds[0].status === 'delivered' ? ds : null;
    });
    expect(logged).toMatchObject({ id: got.id, kind: 'test', attempts: 1, responseCode: 200, lastError: null });
    await api.call('DELETE', `/api/notifications/channels/${created.body.id}?minSeq=${created.body.seq}`);
  }, 30_000);

  it('gives up at once on a receiver that refuses for good (410), and logs its answer', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'gone', url: `${receiver.url}/gone` }));
    await api.call('POST', `/api/notifications/channels/${created.body.id}/test?minSeq=${created.body.seq}`);
    const [failed] = await eventually(async () => {
      const ds = await deliveries(created.body.id);
      return ds.length && ds[0].status === 'failed' ? ds : null;
    }, 15_000, 'the refused delivery');
    expect(failed).toMatchObject({ attempts: 1, responseCode: 410, lastError: 'HTTP 410: this hook was deleted', nextAttemptAt: null });
    await api.call('DELETE', `/api/notifications/channels/${created.body.id}`);
  }, 30_000);

  it('delivers every notice exactly once though the receiver dies mid-way and the notifier restarts', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'main', url: `${receiver.url}/main` }));
    expect(created.status).toBe(201);
    const channelId = created.body.id;
    // A user who may not see the project: its own channel hears nothing of it.
    const outsider = await api.user('operator');
    const outsiders = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'outsider', url: `${receiver.url}/outsider`, projectId: null }), { token: outsider });
    expect(outsiders.status).toBe(201);
    const onMain = () => receiver.answered.filter((r) => r.path === '/main');

    // 1. The receiver answers two, then dies on the third request (connection dropped, unanswered).
    receiver.dieOnRequest = receiver.answered.length + 3;
    const sessions: string[] = [];
    for (let i = 0; i < 4; i++) sessions.push(await sessionAsks(i === 1 ? 'Claude Code asks to use Bash: make' : `question ${i}?`));
    await eventually(async () => (await deliveries(channelId)).filter((d) => d.status === 'pending' && d.attempts > 0 && d.lastError).length > 0, 20_000, 'a failed try recorded');

    expect(receiver.dieOnRequest).toBeNull();
    // 2. The notifier dies too (kill -9), while more notices happen.
    await api.tasks.kill9();
    for (let i = 4; i < 8; i++) sessions.push(await sessionAsks(`question ${i}?`));
    const tasks = await startService('tasks', { ...api.ns.env, ...tasksEnv });

    // 3. The receiver comes back on the same port: everything arrives.
    await receiver.start();
    const all = await eventually(
      async () => {
        const ds = await deliveries(channelId);
        return ds.length === 8 && ds.every((d) => d.status === 'delivered') ? ds : null;
      },
      60_000,
      'all eight delivered',
    );
    const ids = onMain().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(all.map((d) => d.id).sort());
    expect(onMain().every((r) => r.signed)).toBe(true);
    const bodies = onMain().map((r) => JSON.parse(r.body) as { sessionId: string; kind: string; link: string });
    expect(bodies.map((b) => b.sessionId).sort()).toEqual([...sessions].sort());
    expect(bodies.find((b) => b.sessionId === sessions[1])?.kind).toBe('permission_prompt');
    expect(bodies.find((b) => b.sessionId === sessions[0])?.link).toBe(`https://baton.example.com/projects/${projectId}/sessions/${sessions[0]}#answer`);
    // Some were tried more than once; the log says so.
    expect(all.some((d) => d.attempts > 1)).toBe(true);
    expect(receiver.answered.filter((r) => r.path === '/outsider')).toEqual([]);

    // Nothing more comes later (no resend after success).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(onMain().length).toBe(8);
    api.tasks = tasks;
  }, 150_000);
  it('stops mid-send (SIGTERM) and starts again without sending any delivery twice or losing one', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'slow', url: `${receiver.url}/slow`, rules: { kinds: ['needs_input'] } }));
    const onSlow = () => receiver.answered.filter((r) => r.path === '/slow');
    receiver.delayMs = 300;
    for (let i = 0; i < 20; i++) await sessionAsks(`slow question ${i}?`);
    await eventually(() => onSlow().length >= 3, 20_000, 'some delivered');
    // The sender finishes (and records) the tries in flight before it stops.
    await api.tasks.stop(10_000);
    expect(onSlow().length).toBeLessThan(20);
    const tasks = await startService('tasks', { ...api.ns.env, ...tasksEnv });
    const all = await eventually(
      async () => {
        const ds = await deliveries(created.body.id);
        return ds.length === 20 && ds.every((d) => d.status === 'delivered') ? ds : null;
      },
      60_000,
      'all twenty delivered',
    );
    const ids = onSlow().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(all.map((d) => d.id).sort());
    receiver.delayMs = 0;
    api.tasks = tasks;
  }, 120_000);
  it('removes finished deliveries past their retention from the log, and keeps pending ones', async () => {
    const created = await api.call<CommandAccepted>('POST', '/api/notifications/channels', channel({ name: 'retained', url: `${receiver.url}/retained`, rules: { kinds: ['needs_input'] } }));
    const channelId = created.body.id;
    await sessionAsks('kept for a while?');
    await eventually(async () => (await deliveries(channelId)).some((d) => d.status === 'delivered'), 15_000, 'one delivered');
    await receiver.stop();
    await sessionAsks('still to send?');
    await eventually(async () => (await deliveries(channelId)).some((d) => d.status === 'pending' && d.attempts > 0), 15_000, 'one pending');
    await api.tasks.stop(10_000);
    api.tasks = await startService('tasks', { ...api.ns.env, ...tasksEnv, BATON_NOTIFY_RETENTION_MS: '1000', BATON_NOTIFY_SWEEP_MS: '200' });
    const left = await eventually(
      async () => {
        const ds = await deliveries(channelId);
        return ds.length === 1 ? ds : null;
      },
      20_000,
      'the delivered one swept away',
    );
    expect(left[0]).toMatchObject({ status: 'pending', message: 'still to send?' });
    await receiver.start();
  }, 90_000);
  it('is driven by the built CLI too: add, test, deliveries; bad input exits 2 and asks nothing', async () => {
    const baton = (...args: string[]) => {
      const r = spawnSync(process.execPath, [`${REPO_ROOT}/apps/cli/dist/main.js`, ...args], { env: { PATH: process.env.PATH, HOME: '/nonexistent', BATON_API_URL: api.gateway.url, BATON_TOKEN: api.ns.token }, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const before = await api.logState();
    const refused = baton('notify', 'channel', 'add', '--name', 'x', '--url', 'http://169.254.169.254/latest', '--event', 'failed');
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/--url.*link-local/)]);
    expect(await api.logState()).toEqual(before);
    const added = baton('notify', 'channel', 'add', '--name', 'cli', '--url', `${receiver.url}/cli`, '--event', 'completed', '--secret', SECRET, '--json');
    expect(added.code).toBe(0);
    const { id, seq } = JSON.parse(added.stdout) as { id: string; seq: number };
    expect(baton('notify', 'test', id, '--min-seq', String(seq)).code).toBe(0);
    await eventually(() => receiver.answered.find((r) => r.path === '/cli' && r.kind === 'test' && r.signed), 15_000, 'the CLI test');
    const log = await eventually(() => {
      const out = baton('notify', 'deliveries', '--channel', id, '--json');
      const rows = JSON.parse(out.stdout) as { status: string }[];
      return rows.length === 1 && rows[0].status === 'delivered' ? rows : null;
    }, 15_000, 'the delivery in the CLI log');
    expect(log[0]).toMatchObject({ kind: 'test', attempts: 1, responseCode: 200 });
    expect(baton('notify', 'channel', 'list').stdout).toMatch(new RegExp(`${id}\\s+cli\\s+json\\s+http://127\\.0\\.0\\.1:\\d+/••••`));
    expect(baton('notify', 'channel', 'remove', id).code).toBe(0);
  }, 60_000);
});
