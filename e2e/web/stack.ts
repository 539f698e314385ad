/**
 * The whole product for browser stories and the web bench: tasks, sessions, gateway (serving
 * the built web app) and a real runner that starts agents from a `baton` on its PATH (the
 * built CLI, so the built-in `baton-demo-agent` template runs `baton demo-agent`).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { eventually, freePort, startService, type TestNamespace } from '@baton/testing';

export const ROOT = resolve(__dirname, '../..');
export const WEB_DIST = join(ROOT, 'apps/web/dist');
export const SHOTS = join(ROOT, 'e2e/screenshots');
export const CLI = join(ROOT, 'apps/cli/dist/main.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AGENT_SECRET = 'e2e-web-agent-token-secret-0123456789abcdef';
const RUNNER_SECRET = 'e2e-web-runner-secret-0123456789';

export interface Stack {
  gatewayUrl: string;
  gateway: Awaited<ReturnType<typeof startService>>;
  gatewayEnv: Record<string, string>;
  sessions: Awaited<ReturnType<typeof startService>>;
  sessionsEnv: Record<string, string>;
  binDir: string;
}

export function ensureWebBuild(): void {
  if (!existsSync(join(WEB_DIST, 'index.html'))) execFileSync('npm', ['run', 'build', '-w', '@baton/web'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
  mkdirSync(SHOTS, { recursive: true });
}

export async function startStack(ns: TestNamespace, opts: { capacity?: number; runnerId?: string } = {}): Promise<Stack> {
  const binDir = mkdtempSync(join(tmpdir(), 'baton-web-bin-'));
  writeFileSync(join(binDir, 'baton'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(binDir, 'baton'), 0o755);
  await startService('tasks', ns.env);
  // The gateway reaches the runner's HTTP (diffs, merges, screens) at an address it is told.
  const runnerId = opts.runnerId ?? 'r1';
  const runnerPort = await freePort();
  const gatewayEnv = {
    ...ns.env,
    WEB_DIST,
    BATON_RUNNER_URLS: `${runnerId}=http://127.0.0.1:${runnerPort}`,
    BATON_RUNNER_SECRET: RUNNER_SECRET,
  };
  const gateway = await startService('gateway', gatewayEnv);
  const sessionsEnv = { ...ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: gateway.url };
  const sessions = await startService('sessions', sessionsEnv);
  await startService('runner', {
    ...ns.env,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    BATON_RUNNER_ID: runnerId,
    BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-web-runner-')),
    BATON_RUNNER_CAPACITY: String(opts.capacity ?? 8),
    BATON_RUNNER_SECRET: RUNNER_SECRET,
    BATON_RUNNER_HEARTBEAT_MS: '1000',
  }, { port: runnerPort });
  await eventually(async () => (await fetch(`${gateway.url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 15_000, 'the bootstrap admin');
  await eventually(async () => {
    const r = await fetch(`${gateway.url}/api/runners`, { headers: { authorization: `Bearer ${ns.token}` } });
    const list = (await r.json()) as { alive: boolean }[];
    return r.ok && list.some((x) => x.alive);
  }, 30_000, 'a live runner');
  return { gatewayUrl: gateway.url, gateway, gatewayEnv, sessions, sessionsEnv, binDir };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A repository with one commit on `main`: what a project points at. */
export function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-web-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  writeFileSync(join(dir, 'README.md'), '# Colours\n\nA project agents work on.\n');
  git('add', 'README.md');
  git('commit', '--quiet', '-m', 'initial');
  return dir;
}

/** A root runner's worktrees belong to its sessions' user: git would call them "dubious ownership" here. */
export const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8' }).trim();

/** A REST client with the admin token, for the steps a test does not do through the UI. */
export function restClient(base: string, token: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
