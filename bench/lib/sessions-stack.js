'use strict';
// The whole product for the sessions suite: tasks, gateway, sessions and one runner as child
// processes (the built `apps/<app>/dist/main.js`) in a bench namespace, plus a small REST
// client and a socket.io terminal client. Everything is stopped and removed by ctx's cleanup.

const { spawn, execFileSync } = require('node:child_process');
const { URLSearchParams } = require('node:url');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tempDir(ctx, prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `baton-bench-${prefix}-`));
  ctx.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A built service as a child process; resolves once /health/ready answers 200. */
async function startService(ctx, app, env, { port, name = app, timeoutMs = 45_000 } = {}) {
  port = port ?? (await freePort());
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), path.join(ROOT, 'apps', app, 'dist', 'main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let partial = '';
  const lineListeners = [];
  const keep = (b) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', (b) => {
    keep(b);
    if (!lineListeners.length) return;
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop();
    for (const line of lines) for (const f of lineListeners) f(line);
  });
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const proc = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    child,
    output: () => out,
    /** Calls `f` with every whole line the service writes on stdout from now on. */
    onLine: (f) => lineListeners.push(f),
    running: () => child.exitCode === null && child.signalCode === null,
    async stop(graceMs = 8_000) {
      if (!proc.running()) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
  ctx.defer(() => proc.stop());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running()) throw new Error(`${name} exited while starting:\n${out.slice(-3_000)}`);
    try {
      const res = await fetch(`${proc.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return proc;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms:\n${out.slice(-3_000)}`);
    await sleep(100);
  }
}

/** REST with one bearer token; throws on a non-2xx answer with its body. */
function apiClient(url, token) {
  async function once(method, p, body, query, key) {
    const qs = query ? '?' + new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString() : '';
    const res = await fetch(`${url}${p}${qs}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { 'idempotency-key': key } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!res.ok) {
      if (res.status >= 500) client.serverErrors.push(`${method} ${p} → ${res.status}: ${text.slice(0, 300)}`);
      const err = new Error(`${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
      err.status = res.status;
      throw err;
    }
    if (method !== 'GET' && parsed && typeof parsed.seq === 'number') client.lastSeq = Math.max(client.lastSeq, parsed.seq);
    return parsed;
  }
  /**
   * A write carries an Idempotency-Key, so one that failed on the server's side (5xx) is sent
   * again, up to 3 times, and still happens once; every 5xx is kept in `serverErrors`.
   */
  async function request(method, p, body, query) {
    const key = method === 'GET' ? null : randomBytes(12).toString('hex');
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, p, body, query, key);
      } catch (e) {
        if (!(e.status >= 500) || attempt >= 3) throw e;
        await sleep(1_000 * attempt);
      }
    }
  }
  const client = {
    /** The highest sequence a write was answered with: `minSeq` to read this client's own writes. */
    lastSeq: 0,
    url,
    token,
    /** Every 5xx answer seen: a benchmark keeps going through a transient one, and says so. */
    serverErrors: [],
    get: (p, query) => request('GET', p, undefined, query),
    post: (p, body = {}, query) => request('POST', p, body, query),
    patch: (p, body = {}, query) => request('PATCH', p, body, query),
  };
  return client;
}

/**
 * Starts the stack in a fresh bench namespace: one runner with `capacity` slots (it puts the
 * CLI built beside it first on its sessions' PATH, so `baton demo-agent` runs).
 */
async function startSessionsStack(ctx, { capacity = 100, runnerId = 'bench-1' } = {}) {
  const { namespace, databaseUrl } = await ctx.namespace('sess', { database: true });
  const token = `btn_bench_${randomBytes(16).toString('hex')}`;
  const agentSecret = randomBytes(24).toString('hex');
  const runnerSecret = randomBytes(16).toString('hex');
  const base = {
    NATS_URL: ctx.natsUrl,
    DATABASE_URL: databaseUrl,
    BATON_NAMESPACE: namespace,
    BATON_BOOTSTRAP_TOKEN: token,
    BATON_TERMINAL_MAX_BYTES: String(512 * 1024 ** 2),
  };
  const runnerPort = await freePort();
  const [gateway, tasks] = await Promise.all([
    startService(ctx, 'gateway', { ...base, BATON_RUNNER_URLS: `${runnerId}=http://127.0.0.1:${runnerPort}`, BATON_RUNNER_SECRET: runnerSecret }),
    startService(ctx, 'tasks', base),
  ]);
  const sessions = await startService(ctx, 'sessions', { ...base, BATON_AGENT_TOKEN_SECRET: agentSecret, BATON_PUBLIC_API_URL: gateway.url, LOG_LEVEL: process.env.BENCH_SESSIONS_LOG_LEVEL || 'warn' });
  const runner = await startService(
    ctx,
    'runner',
    {
      ...base,
      BATON_RUNNER_ID: runnerId,
      BATON_RUNNER_CAPACITY: String(capacity),
      BATON_DATA_DIR: tempDir(ctx, 'runner'),
      BATON_RUNNER_SECRET: runnerSecret,
      BATON_RUNNER_DRAIN_MS: '0',
      // Info: its "session running" lines say how long each start took inside the runner.
      LOG_LEVEL: 'info',
    },
    { port: runnerPort, name: `runner ${runnerId}` },
  );
  /**
   * Per session: ms from the runner receiving the start to its PTY running, the part spent
   * preparing (and its steps), and when the PTY was running (the line's time, epoch ms).
   */
  const runnerStarts = new Map();
  runner.onLine((line) => {
    if (!line.includes('session running')) return;
    try {
      const j = JSON.parse(line);
      if (j.sessionId) runnerStarts.set(j.sessionId, { totalMs: j.totalMs, prepareMs: j.prepareMs, steps: j.steps ?? {}, runningAt: typeof j.time === 'number' ? j.time : null });
    } catch {
      // not a JSON log line
    }
  });
  const api = apiClient(gateway.url, token);
  // The bootstrap admin is created through the tasks service: wait until the token works.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const runners = await api.get('/api/runners');
      if (runners.some((r) => r.id === runnerId && r.alive)) break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`runner ${runnerId} never showed up alive`);
    await sleep(200);
  }
  const services = { gateway, tasks, sessions, runner };
  /** The last lines each service wrote (warnings and errors), for a failure's report. */
  const logs = (lines = 15) =>
    Object.entries(services)
      .map(([name, p]) => `--- ${name} (${p.output().length} characters of output kept)\n${p.output().trim().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  return { namespace, token, api, gateway, runner, runnerId, runnerSecret, services, logs, runnerStarts };
}

/** A git repository on `main` with one commit, for a project. */
function gitRepo(ctx) {
  const dir = tempDir(ctx, 'repo');
  const git = (...args) => execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet', '--initial-branch=main');
  fs.writeFileSync(path.join(dir, 'README.md'), '# bench\n');
  git('add', 'README.md');
  git('commit', '--quiet', '-m', 'initial');
  return dir;
}

/**
 * One viewer of one session's terminal over socket.io, as a browser is: attach, count the
 * bytes of `terminal:data` (acking them at once, so flow control never holds it back), type
 * with `terminal:input`.
 */
async function attachTerminal(url, token, sessionId) {
  const { io } = require('socket.io-client');
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  const t = {
    socket,
    bytes: 0,
    /** The last chunk index received as data. */
    lastChunk: -1,
    tail: '',
    onData: null,
    /** Times the gateway replaced missed output with a screen (it judged the viewer slow). */
    resyncs: 0,
    onResync: null,
    close: () => socket.disconnect(),
    type: (data) => socket.emit('terminal:input', { sessionId, data }),
  };
  socket.on('terminal:data', (m) => {
    if (m.sessionId !== sessionId) return;
    const buf = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    t.bytes += buf.length;
    t.lastChunk = Math.max(t.lastChunk, m.chunk);
    socket.emit('terminal:ack', { sessionId, bytes: buf.length });
    if (t.onData) t.onData(buf);
  });
  socket.on('resync', (m) => {
    if (m.kind !== 'terminal' || m.sessionId !== sessionId) return;
    t.resyncs++;
    if (t.onResync) t.onResync(m.snapshot);
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const ack = await new Promise((resolve) => socket.emit('terminal:attach', { sessionId, cols: 200, rows: 50 }, resolve));
  if (!ack.ok) {
    socket.disconnect();
    throw new Error(`terminal:attach refused: ${JSON.stringify(ack.error)}`);
  }
  return t;
}

let ticks = null;
/** USER_HZ, the unit of the CPU times in /proc/<pid>/stat. */
function clockTicks() {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU seconds (own and reaped children) and RSS of a process, from /proc/<pid>. */
function procStats(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); utime is field 14 → index 11.
  const tick = clockTicks();
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1] || 0);
  return {
    cpuSec: (Number(fields[11]) + Number(fields[12])) / tick,
    childrenCpuSec: (Number(fields[13]) + Number(fields[14])) / tick,
    rssMb: kb('VmRSS') / 1024,
    hwmMb: kb('VmHWM') / 1024,
  };
}

module.exports = { startSessionsStack, apiClient, attachTerminal, gitRepo, procStats, freePort, sleep, ROOT };
