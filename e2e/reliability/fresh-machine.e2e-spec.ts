import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort, ManagedProcess, REPO_ROOT } from '@baton/testing';

const run = promisify(execFile);
const INSTALL_MS = 5 * 60_000;

/** The environment of a machine where nothing of Baton's is set: no test infrastructure, no namespace. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, CI: process.env.CI ?? '' };
  for (const k of Object.keys(env)) if (k.startsWith('BATON_') && !(k in extra)) delete env[k];
  for (const k of ['NATS_URL', 'DATABASE_URL', 'HOST', 'LOG_LEVEL', 'PORT', 'NODE_OPTIONS', 'JEST_WORKER_ID']) if (!(k in extra)) delete env[k];
  return env;
}

/** What a terminal's Ctrl-C does: SIGINT to the whole process group. */
function ctrlC(proc: ManagedProcess): void {
  try {
    process.kill(-proc.pid, 'SIGINT');
  } catch {
    // gone already
  }
}

function git(cwd: string, ...args: string[]) {
  return run('git', ['-c', 'user.name=Baton test', '-c', 'user.email=test@baton.invalid', ...args], { cwd });
}

/*
 * The fresh-machine path, tagged [fresh-machine] (select it alone with `-t fresh-machine`): a
 * clean clone of this repository in a directory no other user may enter (0700, like /root or a
 * `mktemp -d`), and the README's two commands as they are: `npm start` installs the locked
 * dependencies itself (from the machine's npm cache), builds, and comes up healthy — embedded
 * Postgres and the system's nats-server, as root under their own users — answers a
 * project/task round trip, and the shipped demo agent works a task to completion in a real git
 * repository; `npm test` in the same clone installs nothing more and finds its suites. The
 * `baton` CLI runs with `npx baton` and from a global install.
 */
describe('[fresh-machine] a clean clone in a 0700 directory: npm start, a demo-agent task done, npm test, npx baton', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'baton-fresh-'));
  chmodSync(tmp, 0o700);
  const clone = join(tmp, 'baton');
  // The README's default BATON_HOME: .baton/ in the clone, which nobody but its owner can reach.
  const home = join(clone, '.baton');
  let started: ManagedProcess | undefined;
  let url = '';
  let token = '';

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  afterAll(async () => {
    if (started?.running) {
      ctrlC(started);
      await Promise.race([started.exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (started.running) process.kill(-started.pid, 'SIGKILL');
    }
    // As root, what Postgres' and the agents' users must reach went under /var/lib/baton (scripts/lib/reach.js).
    const stateDir = existsSync(join(home, 'state-dir')) ? readFileSync(join(home, 'state-dir'), 'utf8').trim() : '';
    if (stateDir.startsWith('/var/lib/baton/home-')) rmSync(stateDir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('npm start on a fresh clone installs, builds and starts healthy', async () => {
    await run('git', ['clone', '--quiet', REPO_ROOT, clone]);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    const port = await freePort();
    // Its own process group, like a terminal's: Ctrl-C (SIGINT to the group) reaches npm and start.js alike.
    // The npm cache of this machine, as a newcomer's would be after a first install: offline where it can.
    const child = spawn('npm', ['start'], { cwd: clone, env: cleanEnv({ PORT: String(port), npm_config_prefer_offline: 'true' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    started = new ManagedProcess('npm-start', child);
    const t1 = Date.now();
    [, url] = await started.waitForOutput(/Baton is running: (http:\/\/\S+)/, INSTALL_MS + 6 * 60_000);
    process.stdout.write(`fresh machine: npm start (install and build included) ready in ${((Date.now() - t1) / 1000).toFixed(0)} s\n`);
    expect(started.output()).toMatch(/installing the locked dependencies \(npm ci\) — first run in this checkout/);
    expect(existsSync(join(clone, 'node_modules', '@nestjs', 'core'))).toBe(true);
    [, token] = /admin token: (btn_\S+)/.exec(started.output())!;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect(started.output()).toMatch(/Postgres: embedded/);
  }, 14 * 60_000);

  it('answers a project and task round trip', async () => {
    expect(token).not.toBe('');
    const project = await api<{ id: string; seq: number }>('POST', '/api/projects', { name: 'Fresh', repository: { location: '/srv/fresh' } });
    expect(project.status).toBe(201);
    const task = await api<{ id: string; seq: number }>('POST', `/api/projects/${project.body.id}/tasks`, { title: 'First task' });
    expect(task.status).toBe(201);
    const read = await api<{ id: string; title: string; projectId: string }>('GET', `/api/tasks/${task.body.id}?minSeq=${task.body.seq}`);
    expect(read).toMatchObject({ status: 200, body: { id: task.body.id, title: 'First task', projectId: project.body.id } });
  });

  it('runs the demo agent on a task until it is completed, its work committed on the attempt branch', async () => {
    expect(token).not.toBe('');
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    await git(repo, 'init', '--quiet', '--initial-branch=main');
    writeFileSync(join(repo, 'README.md'), '# Fresh\n');
    await git(repo, 'add', 'README.md');
    await git(repo, 'commit', '--quiet', '-m', 'initial');
    const project = await api<{ id: string }>('POST', '/api/projects', { name: 'Demo', repository: { location: repo } });
    expect(project.status).toBe(201);
    const task = await api<{ id: string; seq: number }>('POST', `/api/projects/${project.body.id}/tasks`, { title: 'Add a greeting [fast]', description: 'Say hello.' });
    expect(task.status).toBe(201);
    const attempt = await api<{ id: string; seq: number }>('POST', `/api/tasks/${task.body.id}/attempts`, { sessionTemplateId: 'baton-demo-agent' });
    expect(attempt.status).toBe(201);
    const sessionId = await eventually(async () => (await api<{ items: { id: string }[] }>('GET', `/api/sessions?attemptId=${attempt.body.id}`)).body.items[0]?.id, 30_000, "the attempt's session");
    const session = await eventually(
      async () => {
        const s = (await api<{ status: string }>('GET', `/api/sessions/${sessionId}`)).body;
        if (['failed', 'stopped', 'exited'].includes(s.status)) throw new Error(`the demo agent's session ended ${s.status}: ${JSON.stringify(s)}`);
        return s.status === 'completed' ? s : null;
      },
      120_000,
      'the demo agent to complete the task',
    );
    expect(session).toMatchObject({ status: 'completed', items: [{ taskId: task.body.id, status: 'completed' }] });
    const inReview = await eventually(async () => {
      const a = (await api<{ status: string; branch: string }>('GET', `/api/attempts/${attempt.body.id}`)).body;
      return a.status === 'in_review' ? a : null;
    }, 30_000, 'the attempt in review');
    const diff = await api<{ files: { path: string; status: string }[] }>('GET', `/api/attempts/${attempt.body.id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body.files.map((f) => f.path)).toEqual(['baton-demo/add-a-greeting.md']);
    expect(inReview.branch).toMatch(/^baton\//);
  }, 4 * 60_000);

  it('stops everything on Ctrl-C', async () => {
    expect(started).toBeDefined();
    ctrlC(started!);
    await started!.exited;
    expect(started!.output()).toMatch(/stopped\./);
  }, 60_000);

  it('runs the CLI as `npx baton` in the checkout and as `baton` from a global install', async () => {
    const env = cleanEnv({ npm_config_prefer_offline: 'true' });
    expect((await run('npx', ['--no-install', 'baton', '--version'], { cwd: clone, env })).stdout.trim()).toBe('0.1.0');
    // The README's global install, into a prefix of its own rather than this machine's.
    const prefix = join(tmp, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, './apps/cli'], { cwd: clone, env, timeout: 120_000 });
    expect((await run(join(prefix, 'bin', 'baton'), ['--version'], { env })).stdout.trim()).toBe('0.1.0');
    expect((await run(join(prefix, 'bin', 'baton'), ['completion', 'bash'], { env })).stdout).toContain('complete -F _baton baton');
  }, 4 * 60_000);

  it('npm test in the same clone installs nothing more, builds and finds its suites', async () => {
    const { stdout } = await run('npm', ['test', '--', '--listTests'], { cwd: clone, env: cleanEnv({}), timeout: 6 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    expect(stdout).not.toContain('installing the locked dependencies');
    expect(stdout).toContain(join(clone, 'e2e', 'reliability', 'fresh-machine.e2e-spec.ts'));
  }, 7 * 60_000);
});
