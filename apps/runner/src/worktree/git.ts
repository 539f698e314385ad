import { spawn, type ChildProcess } from 'node:child_process';

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
    /** Why git was killed, when it was: its timeout passed, or its caller gave up on it (a session stopped, the runner stopping). */
    readonly killed: 'timeout' | 'aborted' | null = null,
    timeoutMs = 0,
  ) {
    super(
      killed === 'timeout'
        ? `git ${args.join(' ')} timed out after ${Math.round(timeoutMs / 1000)} s${stderr.trim() ? `: ${stderr.trim()}` : ''}`
        : killed === 'aborted'
          ? `git ${args.join(' ')} was stopped`
          : `git ${args.join(' ')} failed (${exitCode}): ${stderr.trim() || stdout.trim()}`,
    );
    this.name = 'GitError';
  }
}

export interface GitOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 of `merge-base --is-ancestor`). */
  okCodes?: number[];
  /** Default 10 min; network commands get shorter ones (`GitTimeouts`). */
  timeoutMs?: number;
  /** Aborting kills git with every helper it started (its process group). */
  signal?: AbortSignal;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How long git may talk to a project's repository (BATON_RUNNER_GIT_CLONE_TIMEOUT_MS, BATON_RUNNER_GIT_FETCH_TIMEOUT_MS). */
export interface GitTimeouts {
  /** A first clone (mirror or project checkout). */
  cloneMs: number;
  /** A fetch or push. */
  fetchMs: number;
}
export const DEFAULT_GIT_TIMEOUTS: GitTimeouts = { cloneMs: 5 * 60_000, fetchMs: 2 * 60_000 };

/**
 * The transports git may use: local paths, https and ssh — the allow-list of
 * libs/events repository-location.ts, applied again by git itself, so a location stored
 * before that list (`fd::3`, `ext::…`, `git://`, a `<helper>::`) cannot run anything.
 */
export const GIT_ALLOWED_PROTOCOLS = ['file', 'https', 'ssh'] as const;

// Settings every call gets: no pager or prompt can hang a runner, no transport beyond the
// allow-list (no remote helper can run commands), no repository config can swap in programs for diffs.
const SAFE_CONFIG = [
  ...['-c', 'protocol.allow=never'],
  ...GIT_ALLOWED_PROTOCOLS.flatMap((p) => ['-c', `protocol.${p}.allow=always`]),
  ...['-c', 'core.quotePath=false', '-c', 'color.ui=false'],
  // A root runner's worktrees and mirrors belong to its agents' user (host/agent-user.ts): git
  // would call them "dubious ownership" and refuse. The runner made every repository it works in.
  ...['-c', 'safe.directory=*'],
];
const SAFE_ENV = {
  GIT_ALLOW_PROTOCOL: GIT_ALLOWED_PROTOCOLS.join(':'),
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  PAGER: 'cat',
  LC_ALL: 'C',
  GIT_OPTIONAL_LOCKS: '0',
};
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const MAX_OUTPUT = 256 * 1024 * 1024;
/** After TERM (which lets git remove its lock files), what is left of the group gets KILL. */
const KILL_GRACE_MS = 2_000;

/** Stops for the git processes running now, for `stopRunningGit`. */
const running = new Set<() => Promise<void>>();

/**
 * Runs git with an argv (never a shell line), in a process group of its own: a timeout, an
 * abort or `stopRunningGit` ends git and every helper it started (`git-remote-https`, ssh),
 * which would otherwise stay behind, blocked on a server that never answers.
 */
export function git(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new GitError(args, null, '', '', 'aborted'));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let child: ChildProcess;
    try {
      child = spawn('git', [...SAFE_CONFIG, ...args], { cwd: opts.cwd, env: { ...process.env, ...SAFE_ENV, ...opts.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      return reject(new GitError(args, null, (e as Error).message, ''));
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let killed: 'timeout' | 'aborted' | 'output' | null = null;
    let closed: () => void = () => undefined;
    const done = new Promise<void>((r) => (closed = r));
    let forceKill: NodeJS.Timeout | undefined;
    const kill = (why: 'timeout' | 'aborted' | 'output'): Promise<void> => {
      const pid = child.pid;
      if (killed || pid === undefined) return done;
      killed = why;
      signalGroup(pid, 'SIGTERM');
      forceKill = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      return done;
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) void kill('output');
      else into.push(chunk);
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(err));
    const timer = setTimeout(() => void kill('timeout'), timeoutMs);
    const onAbort = () => void kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const stop = () => kill('aborted');
    running.add(stop);
    let settled = false;
    const settle = (exitCode: number | null, spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(forceKill);
      opts.signal?.removeEventListener('abort', onAbort);
      running.delete(stop);
      // Whatever of the group outlived git (a helper that ignored TERM) goes too.
      if (killed && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      closed();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = spawnError ? spawnError.message : Buffer.concat(err).toString('utf8');
      if (killed === 'timeout' || killed === 'aborted') reject(new GitError(args, null, stderr, stdout, killed, timeoutMs));
      else if (killed === 'output') reject(new GitError(args, null, `output exceeded ${MAX_OUTPUT} bytes`, ''));
      else if (exitCode === 0 || (exitCode !== null && opts.okCodes?.includes(exitCode))) resolve({ stdout, stderr, exitCode });
      else reject(new GitError(args, exitCode, stderr, stdout));
    };
    child.once('error', (e) => settle(null, e));
    child.once('close', (code) => settle(code));
  });
}

/** Ends every git process running now (the runner is stopping): TERM, then KILL for what is left. */
export async function stopRunningGit(): Promise<number> {
  const stops = [...running];
  await Promise.all(stops.map((stop) => stop()));
  return stops.length;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
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
