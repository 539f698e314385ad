import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@baton/testing';

export const CLI = join(REPO_ROOT, 'apps/cli/dist/main.js');

/** A directory holding a `baton` that runs the built CLI, to put first on a runner's PATH. */
export function batonBinDir(): string {
  const bin = mkdtempSync(join(tmpdir(), 'baton-bin-'));
  writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  return bin;
}

/** `git …` in a directory, for setting up and checking the repository (never through a shell). */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'safe.directory=*', '-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8' }).trim();

/** A repository on `main` with one commit and a worktree-like checkout of `branch`. */
export function tempRepo(branch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-agent-repo-'));
  git(dir, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(join(dir, 'README.md'), '# demo project\n');
  git(dir, 'add', 'README.md');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  git(dir, 'checkout', '--quiet', '-b', branch);
  return dir;
}

export interface ManifestSpec {
  session: { id: string; role?: string; strategy?: 'simple' | 'queue'; name?: string };
  tasks: { id: string; title: string; description?: string; acceptanceCriteria?: string[] }[];
  attempt?: { id: string; branch: string; baseBranch: string } | null;
}

/** A hand-written manifest file, shaped as the sessions service writes it. */
export function writeManifest(spec: ManifestSpec, apiUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-agent-session-'));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'manifest.json');
  const manifest = {
    version: 1,
    session: { name: 'demo', role: 'worker', strategy: 'simple', templateId: 'baton-demo-agent', templateName: 'Baton demo agent', ...spec.session },
    project: { id: 'P1', name: 'Demo project' },
    attempt: spec.attempt === undefined ? null : spec.attempt,
    parent: null,
    tasks: spec.tasks.map((t) => ({ description: '', acceptanceCriteria: [], ...t })),
    api: { url: apiUrl, tokenEnv: 'BATON_TOKEN', sessionEnv: 'BATON_SESSION_ID' },
    reporting: [],
  };
  writeFileSync(path, JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'manifest.md'), '# Baton session (markdown)\n');
  return join(dir, 'manifest.md');
}

/** A running `node apps/cli/dist/main.js demo-agent` (or other `args`), spawned directly as a runner would. */
export class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, env: Record<string, string>, args: string[] = ['demo-agent']) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => resolve(code));
    });
  }

  /** Resolves once stdout shows `text` (fails after `timeoutMs`, printing what it saw). */
  async waitFor(text: string | RegExp, timeoutMs = 20_000): Promise<void> {
    const seen = () => (typeof text === 'string' ? this.stdout.includes(text) : text.test(this.stdout));
    const until = Date.now() + timeoutMs;
    while (!seen()) {
      if (Date.now() > until) throw new Error(`the agent never printed ${String(text)}:\n${this.stdout}\n${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`the agent exited ${this.child.exitCode} before printing ${String(text)}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  type(line: string): void {
    this.child.stdin.write(line);
  }

  /** Its exit code; fails after `timeoutMs`, printing what it wrote, if it is still running then. */
  async exit(timeoutMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`still running after ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
