import { connect as connectNats } from '@nats-io/transport-node';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, ManagedProcess, REPO_ROOT } from '@baton/testing';

/** `npm start` on a machine with nothing set up: embedded Postgres, nats-server, the four services. */
describe('npm start (scripts/start.js)', () => {
  let home: string;
  let port: number;
  const started: ManagedProcess[] = [];

  const start = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, PORT: String(port) };
    for (const k of ['NATS_URL', 'DATABASE_URL', 'BATON_BOOTSTRAP_TOKEN', 'BATON_NAMESPACE', 'HOST', 'LOG_LEVEL']) delete env[k];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts/start.js')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new ManagedProcess('npm-start', child);
    started.push(proc);
    const [, url] = await proc.waitForOutput(/Baton is running: (http:\/\/\S+)/, 45_000);
    const pids = [...proc.output().matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    return { proc, url, pids };
  };
  const stopWithCtrlC = async (run: { proc: ManagedProcess; pids: number[] }) => {
    run.proc.child.kill('SIGINT');
    const exit = await run.proc.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(run.proc.output()).toMatch(/stopped\.\n$/);
    expect(run.pids.filter(isAlive)).toEqual([]);
    expect(readdirSync(join(home, 'run'))).toEqual([]);
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'baton-home-'));
    port = await freePort();
  });
  afterAll(() => {
    for (const p of started) if (p.running) p.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts everything with its data in BATON_HOME, stops it all on Ctrl-C, and finds the data again on the next start', async () => {
    const first = await start();
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    // nats-server, Postgres, tasks, sessions, runner, gateway
    expect(first.pids).toHaveLength(6);
    expect(first.proc.output()).toMatch(/Postgres: embedded/);

    const [, token] = /admin token: (btn_\S+)/.exec(first.proc.output())!;
    const tokenFile = join(home, 'bootstrap-token');
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const ready = await fetch(`${first.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${first.url}/api/me`, { headers: auth })).status).toBe(200);
    const created = await fetch(`${first.url}/api/projects`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Survives restarts', repository: { location: '/srv/keep' } }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${first.url}/metrics`)).status).toBe(200);

    // NATS refuses a client without credentials (an agent's script, say); every service and the
    // runner have their own user, and the runner's may not read the event log. No password shows.
    const [, natsPort] = /with JetStream on nats:\/\/127\.0\.0\.1:(\d+) \(a user per service and runner/.exec(first.proc.output())!;
    await expect(connectNats({ servers: `nats://127.0.0.1:${natsPort}`, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    const usersFile = join(home, 'nats-users.json');
    expect(statSync(usersFile).mode & 0o777).toBe(0o600);
    const passwords = JSON.parse(readFileSync(usersFile, 'utf8')) as Record<string, string>;
    const runnerUser = Object.keys(passwords).find((u) => u.startsWith('runner-'))!;
    expect(Object.keys(passwords).sort()).toEqual(['gateway', runnerUser, 'sessions', 'tasks']);
    for (const password of Object.values(passwords)) expect(first.proc.output()).not.toContain(password);
    const asRunner = await connectNats({ servers: `nats://127.0.0.1:${natsPort}`, user: runnerUser, pass: passwords[runnerUser], reconnect: false });
    expect(String(await asRunner.subscribe('baton.evt.>').closed)).toMatch(/Permissions Violation/);
    await asRunner.close();

    await stopWithCtrlC(first);
    // The services and the runner did all they did at start within their permissions: only the probe above was refused.
    const violations = readFileSync(join(home, 'logs', 'nats.log'), 'utf8').split('\n').filter((l) => /Violation/.test(l));
    expect(violations.filter((l) => !l.includes('"baton.evt.>"'))).toEqual([]);
    for (const dir of ['postgres', 'nats', 'runner', 'logs']) expect(statSync(join(home, dir)).isDirectory()).toBe(true);

    const second = await start();
    expect(second.url).toBe(first.url);
    expect(second.proc.output()).not.toContain(token);
    expect(second.proc.output()).toContain(`admin token: kept in ${tokenFile}`);
    const project = await eventually(async () => {
      const res = await fetch(`${second.url}/api/projects/${id}`, { headers: auth });
      return res.status === 200 ? ((await res.json()) as { name: string }) : null;
    }, 10_000, 'the project from the first run');
    expect(project.name).toBe('Survives restarts');
    await stopWithCtrlC(second);
  }, 90_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
