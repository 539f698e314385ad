import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startService, type ManagedProcess, type ServiceApp } from '@baton/testing';

export const AGENT_SECRET = 'reliability-e2e-agent-token-secret-0123456789';

type Running = ManagedProcess & { port: number; url: string };

export interface Member {
  app: ServiceApp;
  env?: Record<string, string>;
}

/**
 * Baton's services as real processes, each on a port of its own that a restart keeps (clients
 * and runners keep their URLs across a kill -9).
 */
export class Stack {
  private readonly procs = new Map<string, Running>();
  /** Output of earlier lives of a member (before a kill), kept for `dump`. */
  private readonly earlier = new Map<string, string>();
  private readonly ports = new Map<string, number>();
  private readonly members = new Map<string, Member>();
  readonly runnerDir = mkdtempSync(join(tmpdir(), 'baton-rel-runner-'));

  constructor(private readonly env: Record<string, string>) {}

  /** The environment every member gets: the namespace's, where agents reach the API; the agent secret for the sessions service alone. */
  private envOf(name: string): Record<string, string> {
    const m = this.members.get(name)!;
    return {
      ...(process.env.BATON_REL_LOG_LEVEL ? { LOG_LEVEL: process.env.BATON_REL_LOG_LEVEL } : {}),
      ...this.env,
      ...(m.app === 'sessions' ? { BATON_AGENT_TOKEN_SECRET: AGENT_SECRET } : {}),
      BATON_PUBLIC_API_URL: this.gatewayUrl,
      ...(m.app === 'runner' ? { BATON_RUNNER_ID: name, BATON_DATA_DIR: join(this.runnerDir, name), BATON_RUNNER_CAPACITY: '8' } : {}),
      ...m.env,
    };
  }

  get gatewayUrl(): string {
    const port = this.ports.get('gateway');
    return port ? `http://127.0.0.1:${port}` : 'http://127.0.0.1:1';
  }

  /** Reserves the gateway's port first so every member knows BATON_PUBLIC_API_URL. */
  async reserveGateway(): Promise<void> {
    if (!this.ports.has('gateway')) this.ports.set('gateway', await freePort());
  }

  async start(name: string, member: Member, timeoutMs = 45_000): Promise<Running> {
    await this.reserveGateway();
    this.members.set(name, member);
    if (!this.ports.has(name)) this.ports.set(name, await freePort());
    const previous = this.procs.get(name);
    if (previous) this.earlier.set(name, `${this.earlier.get(name) ?? ''}${previous.output()}\n----- restarted -----\n`);
    const proc = await startService(member.app, this.envOf(name), { port: this.ports.get(name), name, timeoutMs });
    this.procs.set(name, proc);
    return proc;
  }

  get(name: string): Running {
    const p = this.procs.get(name);
    if (!p) throw new Error(`${name} was never started`);
    return p;
  }

  async kill9(name: string): Promise<void> {
    await this.get(name).kill9();
  }

  /** Starts it again on the same port with the same environment. */
  async restart(name: string, timeoutMs = 45_000): Promise<Running> {
    const m = this.members.get(name);
    if (!m) throw new Error(`${name} was never started`);
    return this.start(name, m, timeoutMs);
  }

  names(): string[] {
    return [...this.procs.keys()];
  }

  output(name: string): string {
    return this.procs.get(name)?.output() ?? '';
  }

  /** Writes every member's output to `dir` (for a failed run's post-mortem). */
  dump(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [name, p] of this.procs) writeFileSync(join(dir, `${name}.log`), `${this.earlier.get(name) ?? ''}${p.output()}`);
  }

  async stop(): Promise<void> {
    if (process.env.BATON_REL_LOGS) this.dump(process.env.BATON_REL_LOGS);
    await Promise.allSettled([...this.procs.values()].map((p) => p.stop(3_000)));
    rmSync(this.runnerDir, { recursive: true, force: true });
  }
}
