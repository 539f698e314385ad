import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestNamespace, freePort, sleep, startService, type ManagedProcess, type Netns, type TestNamespace } from '@baton/testing';
import { Api } from './api';

export const AGENT_SECRET = 'e2e-sessions-agent-token-secret-0123456789';
export const RUNNER_SECRET = 'e2e-sessions-runner-secret-0123456789';

type Service = ManagedProcess & { port: number; url: string };

export interface RunnerSpec {
  id: string;
  capacity: number;
  env?: Record<string, string>;
  /** Runs in this network namespace (libs/testing netns.ts): it reaches NATS, Postgres and the gateway only across its link. */
  netns?: Netns;
}

/** One runner process of the stack: its id, port and data dir survive a kill -9 and a restart. */
export class RunnerHandle {
  proc: Service | null = null;
  constructor(
    readonly id: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly launch: () => Promise<Service>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<Service> {
    this.proc = await this.launch();
    return this.proc;
  }

  /** kill -9 of the runner process alone (its PTY children lose their terminal). */
  async kill9(): Promise<void> {
    await this.proc?.kill9();
  }
}

export interface StackOptions {
  runners: RunnerSpec[];
  sessionsEnv?: Record<string, string>;
  runnerEnv?: Record<string, string>;
}

/**
 * The whole product on this machine, in a namespace of its own: tasks, gateway, sessions and
 * runner processes (each with its own id, data dir and HTTP port, which it announces in its
 * heartbeat so the gateway's review and screens reach it). Each runner puts the CLI built beside
 * it first on its sessions' PATH, so the built-in `baton-demo-agent` template runs for real.
 */
export class Stack {
  readonly runners = new Map<string, RunnerHandle>();
  readonly services: Service[] = [];
  private readonly temp: string[] = [];
  api!: Api;
  gatewayUrl = '';

  private constructor(readonly ns: TestNamespace) {}

  /**
   * Boots the stack. Every namespace's `<NS>_TERMINAL` stream reserves its size of the
   * broker's JetStream storage up front, so a broker shared with many other test runs can be
   * full for a while ("insufficient storage resources"): then it waits and tries again.
   */
  static async start(opts: StackOptions, waitMs = 180_000): Promise<Stack> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const stack = new Stack(await createTestNamespace());
      try {
        await stack.boot(opts);
        return stack;
      } catch (e) {
        await stack.stop();
        if (!/insufficient storage resources/.test(String(e)) || Date.now() > deadline) throw e;
        console.warn('the broker has no JetStream storage left for another namespace (other runs hold it); retrying in 10 s');
        await sleep(10_000);
      }
    }
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `baton-e2e-${prefix}-`));
    this.temp.push(dir);
    return dir;
  }

  private async boot(opts: StackOptions): Promise<void> {
    const env = { ...this.ns.env, LOG_LEVEL: 'warn' };
    const ports = await Promise.all(opts.runners.map(() => freePort()));

    const first = await Promise.allSettled([
      // No BATON_RUNNER_URLS: each runner announces its address in its heartbeat (BATON_RUNNER_PUBLIC_URL, here its HOST:PORT).
      startService('gateway', { ...env, BATON_RUNNER_SECRET: RUNNER_SECRET }, { name: 'gateway' }),
      startService('tasks', env, { name: 'tasks' }),
    ]);
    for (const r of first) if (r.status === 'fulfilled') this.services.push(r.value);
    const failed = first.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const gateway = this.services[0];
    this.gatewayUrl = gateway.url;
    this.api = new Api(gateway.url, this.ns.token);
    this.services.push(
      await startService('sessions', { ...env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: gateway.url, ...opts.sessionsEnv }, { name: 'sessions' }),
    );

    for (const [i, r] of opts.runners.entries()) {
      if (!r.netns) continue;
      // The machine's NATS, Postgres and gateway on the namespace's 127.0.0.1; its runner's port on ours.
      await r.netns.forwardIn([Number(new URL(this.ns.natsUrl.split(',')[0]).port || 4222), Number(new URL(this.ns.databaseUrl).port || 5432), gateway.port]);
      await r.netns.forwardOut(ports[i]);
    }
    opts.runners.forEach((r, i) => {
      const dataDir = this.tempDir(`runner-${r.id}`);
      const portBase = 20_000 + ((i * 2_000 + (process.pid % 1_000) * 20) % 40_000);
      const launch = () =>
        startService(
          'runner',
          {
            ...env,
            BATON_RUNNER_ID: r.id,
            BATON_RUNNER_CAPACITY: String(r.capacity),
            BATON_DATA_DIR: dataDir,
            BATON_RUNNER_SECRET: RUNNER_SECRET,
            BATON_RUNNER_PORTS: `${portBase}-${portBase + 1_999}`,
            BATON_RUNNER_DRAIN_MS: '0',
            ...opts.runnerEnv,
            ...(r.netns ? { HOST: r.netns.nsAddr, BATON_RUNNER_PUBLIC_URL: `http://127.0.0.1:${ports[i]}` } : {}),
            ...r.env,
          },
          { name: `runner-${r.id}`, port: ports[i], timeoutMs: 45_000, wrap: r.netns?.wrap([]) },
        );
      this.runners.set(r.id, new RunnerHandle(r.id, ports[i], dataDir, launch));
    });
    // Runners boot one after another: each runs migrations on the same schema.
    for (const r of this.runners.values()) await r.start();
  }

  runner(id: string): RunnerHandle {
    const r = this.runners.get(id);
    if (!r) throw new Error(`no runner ${id}`);
    return r;
  }

  /** Runners first (they report their sessions' exits), then the services; then the namespace and temp dirs. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.runners.values()].map((r) => r.proc?.stop(8_000)));
    await Promise.allSettled([...this.services].reverse().map((s) => s.stop(5_000)));
    await this.ns.cleanup().catch((e) => console.warn(`namespace cleanup: ${(e as Error).message}`));
    for (const dir of this.temp) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `git …` (argv, never a shell line) with a fixed identity. A root runner's worktrees and
 * mirrors belong to its sessions' user: git would call them "dubious ownership" here.
 */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'safe.directory=*', '-c', 'user.name=E2E', '-c', 'user.email=e2e@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

/**
 * A project repository: a working repo on `main` with one commit, and a bare clone of it
 * (where Baton pushes; a non-bare repo refuses pushes to its checked-out branch).
 */
export function projectRepo(stack: Stack, opts: { bare?: boolean } = {}): { location: string; work: string } {
  const work = stack.tempDir('repo');
  git(work, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(join(work, 'README.md'), '# e2e project\n\nLine two.\n');
  git(work, 'add', 'README.md');
  git(work, 'commit', '--quiet', '-m', 'initial');
  if (!opts.bare) return { location: work, work };
  const bare = join(stack.tempDir('bare'), 'project.git');
  git(work, 'clone', '--quiet', '--bare', work, bare);
  return { location: bare, work };
}
