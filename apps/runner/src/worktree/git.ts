import { execFile } from 'node:child_process';

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${args.join(' ')} failed (${exitCode}): ${stderr.trim() || stdout.trim()}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 of `merge-base --is-ancestor`). */
  okCodes?: number[];
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

// Settings every call gets: no pager or prompt can hang a runner, no remote helper can run
// commands (`ext::`), no repository config can swap in programs for diffs.
const SAFE_CONFIG = ['-c', 'protocol.ext.allow=never', '-c', 'core.quotePath=false', '-c', 'color.ui=false'];
const SAFE_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', PAGER: 'cat', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };

/** Runs git with an argv (never a shell line). */
export function git(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, ...SAFE_ENV, ...opts.env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 10 * 60_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        if (exitCode === 0 || (exitCode !== null && opts.okCodes?.includes(exitCode))) {
          resolve({ stdout, stderr, exitCode });
        } else {
          reject(new GitError(args, exitCode, stderr, stdout));
        }
      },
    );
  });
}

/** stdout of a git command, trimmed: for commands that answer with one value. */
export async function gitValue(args: readonly string[], opts: GitOptions): Promise<string> {
  return (await git(args, opts)).stdout.trim();
}

/** The commit a revision names, or null when it names none. */
export async function resolveCommit(cwd: string, rev: string): Promise<string | null> {
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd, okCodes: [1, 128] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(['merge-base', '--is-ancestor', ancestor, descendant], { cwd, okCodes: [1] });
  return r.exitCode === 0;
}

/** A branch name git accepts that cannot be mistaken for an option. */
export async function assertBranchName(cwd: string, branch: string): Promise<void> {
  const ok = !branch.startsWith('-') && (await git(['check-ref-format', '--branch', branch], { cwd, okCodes: [1, 128] })).exitCode === 0;
  if (!ok) throw new Error(`invalid branch name: ${JSON.stringify(branch)}`);
}

/** Author and committer for commits Baton makes itself, so no global git identity is needed. */
export function identityEnv(who: { name: string; email: string }): Record<string, string> {
  return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}
