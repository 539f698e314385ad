import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { RunnerHeartbeatSchema, type RunnerStart } from '@baton/events';
import { Broker, lastTerminalChunk } from '@baton/event-store';
import { createTestNamespace, eventually, processAlive, sleep, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { FakeSessionsService, startMessage } from './__tests__/fake-sessions-service';
import { gitIn, makeRepo, removeTemps, tempDir } from './worktree/__tests__/git-fixtures';
import { TerminalReader, concatFrames } from './terminal';
import { processesWithEnv } from './host/processes';

const decode = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
const SECRET = `s3cret-${randomBytes(8).toString('hex')}`;

describe('runner process', () => {
  let ns: TestNamespace;
  let broker: Broker;
  let sessions: FakeSessionsService;
  let runner: ManagedProcess & { url: string };
  let project: string;
  let dataDir: string;
  let reader: TerminalReader;

  const publish = async (type: 'start' | 'stop' | 'input', data: unknown) => {
    const body = typeof data === 'string' ? data : JSON.stringify(data);
    return broker.js.publish(broker.names.cmdRunner('r1', type), body);
  };
  const start = async (overrides: Partial<RunnerStart> = {}, sessionId = ulid()) => {
    const msg = startMessage(sessionId, project, overrides);
    await publish('start', msg);
    return msg;
  };
  const stop = (sessionId: string, graceMs = 1_000, cleanup = false) => publish('stop', { sessionId, reason: 'test', graceMs, cleanup });
  const output = async (sessionId: string) => decode(concatFrames(await reader.read(sessionId)));
  const http = (path: string, init: RequestInit = {}, secret: string | null = SECRET) =>
    fetch(`${runner.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(secret ? { 'x-baton-runner-secret': secret } : {}), ...init.headers } });
  const heartbeat = async () => {
    const entry = await (await broker.kv(broker.names.kv.runners)).get('r1');
    return entry?.operation === 'PUT' ? RunnerHeartbeatSchema.parse(entry.json()) : null;
  };

  beforeAll(async () => {
    ns = await createTestNamespace();
    broker = await Broker.connect({ servers: ns.natsUrl, namespace: ns.namespace });
    await broker.ensureTopology();
    sessions = new FakeSessionsService(broker);
    await sessions.start();
    reader = new TerminalReader(broker);
    project = makeRepo({ 'README.md': '# demo\n', '.gitignore': '.env\n', 'web/index.html': '<h1>hi</h1>\n' });
    writeFileSync(join(project, '.env'), 'SECRET_FROM_ENV_FILE=42\n');
    dataDir = tempDir('baton-runner-data-');
    runner = await startService('runner', {
      ...ns.env,
      BATON_RUNNER_ID: 'r1',
      BATON_DATA_DIR: dataDir,
      BATON_RUNNER_CAPACITY: '3',
      BATON_RUNNER_LABELS: 'gpu=none, zone=test',
      BATON_RUNNER_SECRET: SECRET,
      BATON_RUNNER_HEARTBEAT_MS: '1000',
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await sessions?.stop();
    await broker?.close();
    await ns?.cleanup();
    removeTemps();
  });

  it('registers with its capacity, labels, hostname and version, and keeps a heartbeat', async () => {
    const register = await eventually(() => sessions.received.find((c) => c.type === 'runner.register'), 10_000, 'runner.register');
    expect(register.data).toMatchObject({ runnerId: 'r1', capacity: 3, labels: { gpu: 'none', zone: 'test' }, version: '0.1.0' });
    expect(register.actor).toEqual({ kind: 'system', id: 'runner:r1' });
    expect(await eventually(heartbeat, 5_000, 'heartbeat')).toMatchObject({ runnerId: 'r1', sessions: [] });
  });

  it('runs a real program in a real worktree: terminal on JetStream, input typed, patterns and exit reported', async () => {
    const marker = join(tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    const hostile = `$(touch ${marker})\`touch ${marker}\`; touch ${marker}`;
    const attemptId = ulid();
    const script = [
      'printf "cwd=%s\\n" "$(pwd)"',
      'printf "branch=%s\\n" "$(git rev-parse --abbrev-ref HEAD)"',
      'printf "title=%s\\n" "$BATON_TASK_TITLE"',
      'cat "$BATON_PROMPT_FILE"',
      'echo "READY on port $BATON_PORT"',
      'read -r line; echo "got:$line"',
      'read -r line; echo "got2:$line"',
      'printf "40%% do"; sleep 0.3; echo "ne"',
      'echo "ERROR: disk on fire"',
      'echo work > work.txt && git add work.txt && git -c user.name=t -c user.email=t@e commit -qm "agent work"',
      'exit 3',
    ].join('\n');
    const msg = await start({
      kind: 'agent',
      workspace: { kind: 'attempt', attemptId, taskId: 't1', branch: `baton/${attemptId.toLowerCase()}`, baseBranch: 'main' },
      launch: {
        argv: ['bash', '-c', script],
        env: { BATON_TASK_TITLE: hostile, BATON_TOKEN: 'tok', BATON_API_URL: 'http://127.0.0.1:1', BATON_SESSION_ID: 'ignored' },
        cwd: '.',
        files: [{ path: 'prompt.md', content: `Do this: ${hostile}\n`, mode: 0o644, exportAs: 'BATON_PROMPT_FILE' }],
      },
      patterns: {
        ready: 'READY on port (?<port>\\d+)',
        success: null,
        error: 'ERROR: (?<why>.+)',
        quota: null,
        parsers: [{ name: 'pct', pattern: '(?<percent>\\d+)% done', kind: 'progress' }],
      },
      initialInput: ['typed at start\r'],
    });
    const { sessionId } = msg;
    const spawned = await sessions.waitFor(sessionId, 'session.record_spawned');
    expect(spawned).toMatchObject({ runnerId: 'r1', pid: expect.any(Number) });

    const ready = await sessions.waitFor(sessionId, 'session.record_output_match', 10_000, (d) => d.pattern === 'ready');
    const hb = await eventually(async () => (await heartbeat())?.sessions.find((s) => s.sessionId === sessionId && s.lastOutputAt), 5_000, 'session in heartbeat');
    expect(hb.pid).toBe(spawned.pid);

    // The live screen, behind the shared secret.
    expect((await http(`/sessions/${sessionId}/screen`, {}, null)).status).toBe(401);
    expect((await http(`/sessions/${sessionId}/screen`, {}, 'wrong')).status).toBe(401);
    const screen = await eventually(async () => {
      const res = await http(`/sessions/${sessionId}/screen`);
      const body = (await res.json()) as { cols: number; rows: number; data: string };
      return res.status === 200 && body.data.includes('got:typed at start') ? body : null;
    }, 5_000, 'screen');
    expect(screen).toMatchObject({ cols: 100, rows: 30 });
    expect((await http(`/sessions/${ulid()}/screen`)).status).toBe(404);

    // Keystrokes from a viewer (core NATS) and an `input` message from the sessions service.
    await publish('input', { sessionId, data: 'from the service\r' });
    await sessions.waitFor(sessionId, 'session.record_exit', 15_000);

    const text = await output(sessionId);
    const port = Number(ready.groups && (ready.groups as Record<string, string>).port);
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(text).toContain(`branch=baton/${attemptId.toLowerCase()}`);
    expect(text).toContain(`cwd=${join(dataDir, 'worktrees', attemptId)}`);
    expect(text).toContain(`title=${hostile}`);
    expect(text).toContain(`Do this: ${hostile}`);
    expect(text).toContain('got:typed at start');
    expect(text).toContain('got2:from the service');
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(dataDir, 'sessions', sessionId, 'prompt.md'), 'utf8')).toContain(hostile);

    const commands = sessions.of(sessionId);
    const kinds = commands.map((c) => (c.type === 'session.record_output_match' ? `match:${c.data.pattern}` : c.type));
    expect(kinds).toEqual(['session.record_spawned', 'match:ready', 'match:parser', 'match:error', 'session.record_exit']);
    expect(commands[2].data).toMatchObject({ parser: 'pct', text: '40% done', groups: { percent: '40' } });
    expect(commands[3].data).toMatchObject({ text: 'ERROR: disk on fire', groups: { why: 'disk on fire' } });
    expect(commands[4].data).toEqual({ sessionId, runnerId: 'r1', exitCode: 3, signal: null });
    expect(await eventually(async () => !(await heartbeat())?.sessions.some((s) => s.sessionId === sessionId), 5_000, 'gone from heartbeat')).toBe(true);

    // The attempt's work, through the runner's HTTP surface.
    const diff = await http(`/attempts/${attemptId}/diff`);
    expect(diff.status).toBe(200);
    expect(((await diff.json()) as { files: { path: string; status: string }[] }).files).toEqual([expect.objectContaining({ path: 'work.txt', status: 'added' })]);
    expect((await http(`/attempts/${attemptId}/merge`, { method: 'POST', body: JSON.stringify({ strategy: 'rebase' }) })).status).toBe(400);
    expect((await http(`/attempts/${ulid()}/diff`)).status).toBe(404);
    expect((await http(`/attempts/${attemptId}/diff`, {}, null)).status).toBe(401);
    const merged = await http(`/attempts/${attemptId}/merge`, { method: 'POST', body: JSON.stringify({ strategy: 'squash', message: 'Attempt work' }) });
    expect(merged.status).toBe(200);
    expect(await merged.json()).toMatchObject({ attemptId, changed: true });
  });

  it('stop ends the whole process group, SIGKILL after the grace period when TERM is ignored', async () => {
    const { sessionId } = await start({ launch: { argv: ['bash', '-c', 'trap "" TERM; sleep 1000 & echo child:$!; wait'], env: {}, cwd: '.', files: [] } });
    const leader = (await sessions.waitFor(sessionId, 'session.record_spawned')).pid as number;
    await eventually(async () => /child:(\d+)/.exec(await output(sessionId)), 5_000, 'child started');
    // The session runs in its sandbox's PID namespace: its pids there are not the host's. Its
    // environment names it on the host: the sandbox, bash and its child.
    const ofSession = () => processesWithEnv('BATON_SESSION_ID', sessionId).filter((pid) => pid !== leader);
    expect(ofSession().length).toBeGreaterThanOrEqual(2);
    const started = ofSession();
    await stop(sessionId, 300);
    expect(await sessions.waitFor(sessionId, 'session.record_exit')).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    await eventually(() => !started.some(processAlive), 3_000, 'every process of the session gone');
  });

  it('a stop reaches the program inside its sandbox, which ends in its own time (the sandbox does not kill it first)', async () => {
    const { sessionId } = await start({ launch: { argv: ['bash', '-c', 'trap "sleep 0.5; echo cleaned-up; exit 0" TERM; echo waiting; while :; do sleep 0.1; done'], env: {}, cwd: '.', files: [] } });
    await sessions.waitFor(sessionId, 'session.record_spawned');
    await eventually(async () => (await output(sessionId)).includes('waiting'), 5_000, 'waiting');
    await stop(sessionId, 5_000);
    expect(await sessions.waitFor(sessionId, 'session.record_exit')).toMatchObject({ exitCode: 0, signal: null });
    expect(await output(sessionId)).toContain('cleaned-up');
  });

  it('refuses a start beyond capacity as retryable, and takes starts again when a slot frees', async () => {
    const long = { launch: { argv: ['sleep', '1000'], env: {}, cwd: '.', files: [] } };
    const held = await Promise.all([start(long), start(long), start(long)]);
    for (const s of held) await sessions.waitFor(s.sessionId, 'session.record_spawned');
    const extra = await start(long);
    expect(await sessions.waitFor(extra.sessionId, 'session.record_spawn_failed')).toMatchObject({ retryable: true, error: expect.stringMatching(/capacity \(3\/3\)/) });
    await stop(held[0].sessionId, 500);
    await sessions.waitFor(held[0].sessionId, 'session.record_exit');
    const later = await start(long);
    await sessions.waitFor(later.sessionId, 'session.record_spawned');
    for (const s of [...held.slice(1), later]) await stop(s.sessionId, 500);
    for (const s of [...held.slice(1), later]) expect(await sessions.waitFor(s.sessionId, 'session.record_exit')).toMatchObject({ signal: 'SIGTERM' });
  });

  it('survives malformed messages and reports spawn errors as not retryable', async () => {
    await publish('start', 'not json at all');
    await publish('start', { sessionId: 'x' });
    await publish('input', { sessionId: '../../etc', data: '' });
    await broker.js.publish(broker.names.cmdRunner('r1', 'explode'), '{}');
    const missing = await start({ launch: { argv: ['no-such-program-xyz'], env: {}, cwd: '.', files: [] } });
    expect(await sessions.waitFor(missing.sessionId, 'session.record_spawn_failed')).toMatchObject({ retryable: false, error: expect.stringMatching(/not found/) });
    const escape = await start({ launch: { argv: ['true'], env: {}, cwd: '../..', files: [] } });
    expect(await sessions.waitFor(escape.sessionId, 'session.record_spawn_failed')).toMatchObject({ retryable: false, error: expect.stringMatching(/leaves/) });
    const ok = await start({ launch: { argv: ['bash', '-c', 'exit 0'], env: {}, cwd: '.', files: [] } });
    expect(await sessions.waitFor(ok.sessionId, 'session.record_exit')).toMatchObject({ exitCode: 0 });
    expect(runner.running).toBe(true);
  });

  it('kills a process the sessions service disowns (409 on a report), and reports nothing more for that fenced copy', async () => {
    const sessionId = ulid();
    sessions.answer = (c) => (c.data.sessionId === sessionId && c.type === 'session.record_spawned' ? { code: 'conflict', message: 'placed elsewhere' } : null);
    await start({ launch: { argv: ['sleep', '1000'], env: {}, cwd: '.', files: [] } }, sessionId);
    const pid = (await sessions.waitFor(sessionId, 'session.record_spawned')).pid as number;
    await eventually(() => !processAlive(pid), 15_000, 'the disowned process killed');
    // The session lives elsewhere (docs/decisions/0026): no exit is reported for this copy.
    await sleep(2_000); // an exit report would follow the exit at once
    expect(sessions.of(sessionId, 'session.record_exit')).toEqual([]);
    sessions.answer = () => null;
  });

  it('continues the terminal chunk numbering of a restarted session (run + 1) after where its start says the terminal stands', async () => {
    const first = await start({ launch: { argv: ['bash', '-c', 'echo first run'], env: {}, cwd: '.', files: [] } });
    await sessions.waitFor(first.sessionId, 'session.record_exit');
    // What the sessions service looks up for the next start: the runner itself may not read the terminal log.
    const stands = (await lastTerminalChunk(broker, first.sessionId, ['r1']))!;
    expect(stands.lastChunk).toBeGreaterThanOrEqual(0);
    await start({ run: 1, terminal: { lastChunk: stands.lastChunk, lastOffsetMs: stands.lastOffsetMs }, launch: { argv: ['bash', '-c', 'echo second run'], env: {}, cwd: '.', files: [] } }, first.sessionId);
    await eventually(() => sessions.of(first.sessionId, 'session.record_exit').length === 2, 10_000, 'second exit');
    const frames = await reader.read(first.sessionId);
    expect(frames.map((f) => f.chunk)).toEqual(frames.map((_, i) => i));
    expect(decode(concatFrames(frames))).toMatch(/first run[^]*second run/);
  });

  it("runs in the project's checkout with copyFiles, a setup script once per workspace, and cleanup when asked", async () => {
    const projectId = `p-${randomBytes(4).toString('hex')}`;
    const marker = join(tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    const title = `$(touch ${marker})`;
    const setup = 'echo setup >> setup-runs.log; echo $BATON_TASK_TITLE "$BATON_TASK_TITLE" > title.txt; test -f .env';
    const cleanup = 'echo "cleanup $BATON_SESSION_ID" >> cleanup.log';
    const run = (argv: string[]) =>
      start({ projectId, copyFiles: ['.env', 'missing.txt'], setupScript: setup, cleanupScript: cleanup, launch: { argv, env: { BATON_TASK_TITLE: title }, cwd: 'web', files: [] } });
    const one = await run(['bash', '-c', 'pwd; cat ../.env; echo port=$PORT:$BATON_PORT']);
    await sessions.waitFor(one.sessionId, 'session.record_exit');
    const text = await output(one.sessionId);
    const checkout = join(dataDir, 'projects', projectId);
    expect(text).toContain(join(checkout, 'web'));
    expect(text).toContain('SECRET_FROM_ENV_FILE=42');
    expect(text).toMatch(/port=(\d+):\1/);
    const two = await run(['sleep', '1000']);
    await sessions.waitFor(two.sessionId, 'session.record_spawned');
    await stop(two.sessionId, 500, true);
    await sessions.waitFor(two.sessionId, 'session.record_exit');
    await eventually(() => existsSync(join(checkout, 'cleanup.log')), 5_000, 'cleanup ran');
    expect(readFileSync(join(checkout, 'setup-runs.log'), 'utf8')).toBe('setup\n');
    expect(readFileSync(join(checkout, 'title.txt'), 'utf8')).toBe(`${title} ${title}\n`);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(checkout, 'cleanup.log'), 'utf8')).toBe(`cleanup ${two.sessionId}\n`);
    expect(gitIn(project, 'status', '--porcelain')).toBe('');
  });

  it('a failing setup script is a spawn failure that names it', async () => {
    const s = await start({ projectId: `p-${randomBytes(4).toString('hex')}`, setupScript: 'echo "npm install broke" >&2; exit 9' });
    expect(await sessions.waitFor(s.sessionId, 'session.record_spawn_failed')).toMatchObject({ retryable: false, error: expect.stringMatching(/setup script exited with 9: npm install broke/) });
  });

  // Spawn latency itself is measured in bench/sessions.js (`spawn`); this checks that starts one
  // after another each come up, with or without a new attempt worktree, at whatever pace the machine allows.
  it('starts sessions one after another, in the project checkout and in new attempt worktrees', async () => {
    for (const kind of ['project', 'attempt'] as const) {
      for (let i = 0; i < 5; i++) {
        const attemptId = ulid();
        const workspace = kind === 'project' ? ({ kind } as const) : ({ kind, attemptId, taskId: 't', branch: `b/${attemptId.toLowerCase()}`, baseBranch: 'main' } as const);
        const s = await start({ workspace, launch: { argv: ['bash', '-c', 'exit 0'], env: {}, cwd: '.', files: [] } });
        await sessions.waitFor(s.sessionId, 'session.record_spawned', 30_000);
        expect(await sessions.waitFor(s.sessionId, 'session.record_exit', 30_000)).toMatchObject({ exitCode: 0 });
      }
    }
  }, 180_000);
});

