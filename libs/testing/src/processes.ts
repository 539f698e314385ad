import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** A real child process a test started; always killed by `killAll` or at exit. */
export class ManagedProcess {
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const append = (b: Buffer) => {
      this.out += b.toString();
      if (this.out.length > 2_000_000) this.out = this.out.slice(-1_000_000);
      if (process.env.BATON_TEST_VERBOSE) process.stderr.write(`[${name}] ${b.toString()}`);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    void this.exited.then(() => live.delete(this));
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9, for real. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.out);
      if (m) return m;
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.out.slice(-4_000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.out.slice(-4_000)}`);
      await sleep(25);
    }
  }
}

export interface SpawnOptions {
  name: string;
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Resolves once this URL answers 200, or this pattern appears in the output. */
  ready?: { url?: string; pattern?: RegExp; timeoutMs?: number };
}

export async function spawnProcess(opts: SpawnOptions): Promise<ManagedProcess> {
  installExitHook();
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new ManagedProcess(opts.name, child);
  live.add(proc);
  try {
    if (opts.ready?.pattern) await proc.waitForOutput(opts.ready.pattern, opts.ready.timeoutMs);
    if (opts.ready?.url) await waitForHttp(opts.ready.url, opts.ready.timeoutMs ?? 20_000, proc);
  } catch (e) {
    await proc.kill9();
    throw e;
  }
  return proc;
}

export async function waitForHttp(url: string, timeoutMs = 20_000, proc?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (proc && !proc.running) throw new Error(`${proc.name} exited while waiting for ${url}:\n${proc.output().slice(-4_000)}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms${proc ? `:\n${proc.output().slice(-4_000)}` : ''}`);
    await sleep(100);
  }
}

const tempDirs = new Set<string>();

export async function killAll(): Promise<void> {
  await Promise.allSettled([...live].map((p) => p.kill9()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) p.child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

export const REPO_ROOT = resolve(__dirname, '../../..');

export type ServiceApp = 'gateway' | 'tasks' | 'sessions' | 'runner';

/** Starts a built Baton service (`apps/<app>/dist/main.js`) and waits for its /health. */
export async function startService(
  app: ServiceApp,
  env: Record<string, string>,
  /** `wrap`: argv the service's command is appended to (e.g. `ip netns exec <ns>`: netns.ts). */
  opts: { port?: number; name?: string; timeoutMs?: number; wrap?: string[] } = {},
): Promise<ManagedProcess & { port: number; url: string }> {
  const port = opts.port ?? (await freePort());
  const [command, ...prefix] = [...(opts.wrap ?? []), process.execPath];
  const proc = await spawnProcess({
    name: opts.name ?? app,
    command,
    args: [...prefix, join(REPO_ROOT, 'apps', app, 'dist', 'main.js')],
    env: { LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    // Generous: on a 2-core machine with other suites' services booting, a cold start can take 30 s+.
    ready: { url: `http://127.0.0.1:${port}/health/ready`, timeoutMs: opts.timeoutMs ?? 60_000 },
  });
  return Object.assign(proc, { port, url: `http://127.0.0.1:${port}` });
}

export interface NatsServerOptions {
  port?: number;
  cluster?: { name: string; port: number; routes: number[] };
  serverName?: string;
  storeDir?: string;
  /** A config file (e.g. an `authorization` block); the flags above still apply. */
  configFile?: string;
  /** Added to its environment (a config's `$VARIABLES`). */
  env?: Record<string, string>;
  /** The address it listens on, clients and cluster (default 127.0.0.1). */
  bind?: string;
  /** argv its command is appended to (e.g. `ip netns exec <ns>`: netns.ts). */
  wrap?: string[];
}

/** A real `nats-server` with JetStream on loopback, in a temp store removed when it stops. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<ManagedProcess & { port: number; url: string; storeDir: string }> {
  const port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'baton-nats-'));
  const bind = opts.bind ?? '127.0.0.1';
  const args = [...(opts.configFile ? ['-c', opts.configFile] : []), '-a', bind, '-p', String(port), '-js', '-sd', storeDir];
  if (opts.serverName) args.push('-n', opts.serverName);
  if (opts.cluster) {
    args.push('--cluster_name', opts.cluster.name, '--cluster', `nats://${bind}:${opts.cluster.port}`);
    args.push('--routes', opts.cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
  }
  const bin = process.env.NATS_SERVER_BIN ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');
  const [command, ...prefix] = [...(opts.wrap ?? []), bin];
  const proc = await spawnProcess({
    name: opts.serverName ?? `nats-${port}`,
    command,
    args: [...prefix, ...args],
    ...(opts.env ? { env: opts.env } : {}),
    ready: { pattern: /Server is ready/, timeoutMs: 15_000 },
  });
  // Kept across kill -9 and restart of the server (a test may restart it on the same store);
  // removed with every other leftover when the test file ends.
  if (!opts.storeDir) tempDirs.add(storeDir);
  return Object.assign(proc, { port, url: `nats://127.0.0.1:${port}`, storeDir });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(50);
  }
}

/** Whether a process runs: a zombie still answers `kill -0`, so `ps` has the last word. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
