import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { AGENT_TOKEN_PUBLIC_KEY_KV_KEY, agentTokenKeysBucket, agentTokenPublicKey } from '@baton/agent-auth';
import { RunnerHeartbeatSchema } from '@baton/events';
import { Broker, natsAuthorizationConfig, runnerCommandSubject, runnerInboxPrefix, sessionsSettingsBucket, type NatsUser } from '@baton/event-store';
import { createTestNamespace, eventually, startNatsServer, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { FakeSessionsService, startMessage } from './__tests__/fake-sessions-service';
import { makeRepo, removeTemps, tempDir } from './worktree/__tests__/git-fixtures';
import { TerminalReader, concatFrames } from './terminal';

const decode = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
const password = () => randomBytes(18).toString('base64url');
const SECRET = 'the-signing-secret-0123456789abcdef-xyz';

/*
 * Issue #12 item 1, on a real nats-server started with the authorization Baton generates
 * (libs/event-store/src/nats-permissions.ts): the real runner process works with nothing but
 * its own credentials, and those credentials refuse everything else a leaked copy would try.
 */
describe('NATS credentials per role', () => {
  let ns: TestNamespace;
  let nats: ManagedProcess & { port: number };
  let users: Record<'sessions' | 'gateway' | 'tasks' | 'r1' | 'r2', NatsUser>;
  let service: Broker;
  let sessions: FakeSessionsService;
  let runner: ManagedProcess;
  let project: string;
  const url = (u?: NatsUser) => `nats://${u ? `${u.user}:${u.password}@` : ''}127.0.0.1:${nats.port}`;
  /** A bare connection with one user's credentials, as a script holding them would open. */
  const as = (u: NatsUser, inboxPrefix?: string) => connect({ servers: `127.0.0.1:${nats.port}`, user: u.user, pass: u.password, ...(inboxPrefix ? { inboxPrefix } : {}) });
  const opened: NatsConnection[] = [];

  beforeAll(async () => {
    ns = await createTestNamespace();
    users = {
      sessions: { user: 'sessions', password: password(), role: 'sessions' },
      gateway: { user: 'gateway', password: password(), role: 'gateway' },
      tasks: { user: 'tasks', password: password(), role: 'tasks' },
      r1: { user: 'runner-r1', password: password(), role: 'runner', runnerId: 'r1' },
      r2: { user: 'runner-r2', password: password(), role: 'runner', runnerId: 'r2' },
    };
    const configFile = join(tempDir('baton-nats-auth-'), 'nats.conf');
    writeFileSync(configFile, natsAuthorizationConfig(ns.namespace, Object.values(users)), { mode: 0o600 });
    nats = await startNatsServer({ configFile });

    service = await Broker.connect({ servers: url(users.sessions), namespace: ns.namespace });
    await service.ensureTopology();
    // What the sessions service keeps: the generated agent-token secret, and the public key it publishes for the gateway.
    await (await service.kv(sessionsSettingsBucket(ns.namespace))).put('agent-token-secret', SECRET);
    await (await service.kv(agentTokenKeysBucket(ns.namespace))).put(AGENT_TOKEN_PUBLIC_KEY_KV_KEY, agentTokenPublicKey(SECRET));
    sessions = new FakeSessionsService(service);
    await sessions.start();
    project = makeRepo({ 'README.md': '# demo\n' });
    runner = await startService('runner', {
      ...ns.env,
      NATS_URL: url(users.r1),
      BATON_RUNNER_ID: 'r1',
      BATON_DATA_DIR: tempDir('baton-runner-data-'),
      BATON_RUNNER_HEARTBEAT_MS: '1000',
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(opened.map((nc) => nc.close().catch(() => undefined)));
    await runner?.stop();
    await sessions?.stop();
    await service?.close();
    await nats?.stop();
    await ns?.cleanup();
    removeTemps();
  });

  it('refuses a client without credentials, or with another user\'s password', async () => {
    await expect(connect({ servers: `127.0.0.1:${nats.port}` })).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: `127.0.0.1:${nats.port}`, user: 'runner-r1', pass: users.r2.password })).rejects.toThrow(/Authorization Violation/);
  });

  it('lets the real runner register, run a session (typed input, terminal, reports) and keep its heartbeat with its own credentials only', async () => {
    await eventually(() => sessions.received.find((c) => c.type === 'runner.register'), 30_000, 'runner.register');
    const heartbeats = await service.kv(service.names.kv.runners);
    const beat = await eventually(async () => {
      const e = await heartbeats.get('r1');
      return e?.operation === 'PUT' ? RunnerHeartbeatSchema.parse(e.json()) : null;
    }, 15_000, 'the heartbeat of r1');
    expect(beat.runnerId).toBe('r1');

    for (const kind of ['project', 'attempt'] as const) {
      const sessionId = ulid();
      const attemptId = ulid();
      const workspace = kind === 'project' ? ({ kind } as const) : ({ kind, attemptId, taskId: 't1', branch: `b/${attemptId.toLowerCase()}`, baseBranch: 'main' } as const);
      await service.js.publish(service.names.cmdRunner('r1', 'start'), JSON.stringify(startMessage(sessionId, project, { workspace, launch: { argv: ['bash', '-c', 'echo READY; read -r line; echo "got:$line"'], env: {}, cwd: '.', files: [] } })));
      await sessions.waitFor(sessionId, 'session.record_spawned', 30_000);
      const reader = new TerminalReader(service);
      await eventually(async () => decode(concatFrames(await reader.read(sessionId))).includes('READY'), 15_000, 'READY on the terminal');
      // Keystrokes as the gateway sends them: core NATS, to the runner's subscription.
      service.nc.publish(service.names.input('r1', sessionId), 'typed-through\r');
      expect(await sessions.waitFor(sessionId, 'session.record_exit', 30_000)).toMatchObject({ exitCode: 0 });
      expect(decode(concatFrames(await reader.read(sessionId)))).toContain('got:typed-through');
    }
    // Nothing the runner did was refused: its allow-list is whole, not merely enough for this test to pass.
    expect(nats.output().split('\n').filter((l) => /Violation/.test(l) && /runner-r1/.test(l))).toEqual([]);
  }, 120_000);

  describe("a runner's credentials, leaked to a script", () => {
    let nc: NatsConnection;
    beforeAll(async () => {
      nc = await as(users.r1, runnerInboxPrefix('r1'));
      opened.push(nc);
    });
    const js = () => jetstream(nc, { timeout: 5_000 });
    const jsm = () => jetstreamManager(nc, { timeout: 5_000 });
    const n = () => service.names;

    it('cannot send commands other than its own reports, nor append events', async () => {
      await expect(js().publish(n().cmd('tasks', 'project.create'), '{}')).rejects.toThrow(/Permissions Violation/);
      await expect(js().publish(n().cmd('sessions', 'session.spawn'), '{}')).rejects.toThrow(/Permissions Violation/);
      await expect(js().publish(n().evt('session', ulid()), '{}')).rejects.toThrow(/Permissions Violation/);
      // A report only on its own `….from.r1` subject: not the bare one, not as r2.
      await expect(js().publish(n().cmd('sessions', 'session.record_exit'), '{}')).rejects.toThrow(/Permissions Violation/);
      await expect(js().publish(runnerCommandSubject(n(), 'sessions', 'session.record_exit', 'r2'), '{}')).rejects.toThrow(/Permissions Violation/);
    });

    it("cannot write into another runner's terminal subjects, read the terminal log, or listen to others' keystrokes", async () => {
      const victim = ulid();
      await expect(js().publish(n().term(victim, 'r2'), 'spoofed')).rejects.toThrow(/Permissions Violation/);
      // Under its own id it may write (readers drop it unless the session was placed on r1).
      await expect(js().publish(n().term(victim, 'r1'), 'own')).resolves.toMatchObject({ duplicate: false });
      await expect((await jsm()).consumers.add(n().streams.terminal, { ack_policy: AckPolicy.None, filter_subject: n().termOfSession(victim) })).rejects.toThrow(/Permissions Violation/);
      await expect((await jsm()).streams.getMessage(n().streams.terminal, { last_by_subj: n().termOfSession(victim) })).rejects.toThrow(/Permissions Violation/);
      for (const subject of [n().input('r2', victim), n().inputOfRunner('r2'), `${n().namespace}.input.>`, n().resizeOfRunner('r2')]) {
        const sub = nc.subscribe(subject);
        expect(String(await sub.closed)).toMatch(/Permissions Violation for Subscription/);
      }
    });

    it('cannot read the event log, nor listen to other connections\' replies', async () => {
      for (const subject of [n().evtAll, '_INBOX.>', `${runnerInboxPrefix('r2')}.>`, n().cmdRunnerAll('r2')]) {
        const sub = nc.subscribe(subject);
        expect(String(await sub.closed)).toMatch(/Permissions Violation for Subscription/);
      }
      await expect((await jsm()).consumers.add(n().streams.events, { ack_policy: AckPolicy.None, filter_subject: n().evtAll })).rejects.toThrow(/Permissions Violation/);
    });

    it("cannot take another runner's commands or write its heartbeat", async () => {
      await expect((await jsm()).consumers.add(n().streams.commands, { durable_name: 'runner-r2', filter_subject: n().cmdRunnerAll('r2'), ack_policy: AckPolicy.Explicit })).rejects.toThrow(/Permissions Violation/);
      const kv = await new Kvm(nc).open(n().kv.runners);
      await expect(kv.put('r2', '{}')).rejects.toThrow(/Permissions Violation/);
    });

    it('cannot read the agent-token secret, nor create or change streams', async () => {
      const kv = await new Kvm(nc).open(sessionsSettingsBucket(ns.namespace));
      await expect(kv.get('agent-token-secret')).rejects.toThrow(/Permissions Violation/);
      await expect((await jsm()).streams.add({ name: `${ns.namespace.toUpperCase()}_STOLEN`, subjects: [`${ns.namespace}.stolen.>`] })).rejects.toThrow(/Permissions Violation/);
      await expect((await jsm()).streams.delete(n().streams.events)).rejects.toThrow(/Permissions Violation/);
    });

    it("the tasks service's credentials cannot read the secret either; the sessions service's can", async () => {
      const tasks = await as(users.tasks);
      opened.push(tasks);
      await expect((await new Kvm(tasks).open(sessionsSettingsBucket(ns.namespace))).get('agent-token-secret')).rejects.toThrow(/Permissions Violation/);
      const own = await (await service.kv(sessionsSettingsBucket(ns.namespace))).get('agent-token-secret');
      expect(own?.string()).toBe(SECRET);
    });

    it("the gateway's credentials cannot read or watch the secret, only the public key it verifies tokens with", async () => {
      const gateway = await as(users.gateway);
      opened.push(gateway);
      const secrets = await new Kvm(gateway).open(sessionsSettingsBucket(ns.namespace));
      await expect(secrets.get('agent-token-secret')).rejects.toThrow(/Permissions Violation/);
      const sub = gateway.subscribe(`$KV.${sessionsSettingsBucket(ns.namespace)}.>`);
      expect(String(await sub.closed)).toMatch(/Permissions Violation for Subscription/);
      const keys = await new Kvm(gateway).open(agentTokenKeysBucket(ns.namespace));
      expect((await keys.get(AGENT_TOKEN_PUBLIC_KEY_KV_KEY))?.string()).toBe(agentTokenPublicKey(SECRET));
    });
  });
});
