import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { resolveExecutable } from '../pty';
import { git } from '../worktree/git';
import type { AgentUser } from './agent-user';

const run = promisify(execFile);

/*
 * A real agent is a model with a shell: on Linux it runs inside bubblewrap (`bwrap`, Debian's
 * `bubblewrap`), so it cannot read what the runner holds.
 * - its own PID namespace: the runner's and other sessions' processes (and their
 *   /proc/<pid>/environ, where the runner's secrets are) do not exist for it; when the
 *   session's first process ends, the kernel ends every process left in the namespace, the
 *   daemons the agent forked included;
 * - a user namespace of its own in which it is not root: no capability, so it cannot undo the
 *   mounts below (see sandboxedArgv);
 * - the whole file system read-only, the runner's state (`hidden`: its data dir, BATON_HOME)
 *   replaced by an empty directory, and writable again only what the session works in:
 *   its worktree and the repository's git dirs, its agent home, its session dir and /tmp.
 * The network is shared (an agent needs its model's API and Baton's).
 */

export interface SandboxPaths {
  /** Directories whose contents the agent must not see (an empty tmpfs instead). */
  hidden: readonly string[];
  /** Directories it works in: writable, even inside a hidden one. */
  writable: readonly string[];
  /** Directories inside a hidden one it may read (the `baton` launcher its hooks run). */
  readable?: readonly string[];
  cwd: string;
}

export type SandboxMode = 'auto' | 'on' | 'off';

/**
 * The argv that runs `argv` inside the sandbox. The agent gets a user namespace of its own in
 * which it is not root: it holds no capability, so it cannot unmount what hides the runner's
 * state, yet it may build namespaces of its own (Codex runs every command in its bundled
 * bubblewrap). Inside it has the uid it has outside: the runner's, or on a root runner the
 * agent user's (host/agent-user.ts) that bwrap is started as.
 */
export function sandboxedArgv(bwrap: string, argv: readonly string[], paths: SandboxPaths, ids = agentIds()): string[] {
  const out = [bwrap, '--die-with-parent', '--unshare-user', '--uid', String(ids.uid), '--gid', String(ids.gid), '--unshare-pid', '--unshare-ipc'];
  out.push('--ro-bind', '/', '/', '--dev-bind', '/dev', '/dev', '--proc', '/proc');
  // Order matters (each mount covers what is below it): the shared /tmp, then a tmpfs over each
  // hidden dir (which may lie in /tmp), then what the session may read and write bound back in.
  out.push('--bind', '/tmp', '/tmp');
  for (const dir of unique(paths.hidden)) out.push('--tmpfs', dir);
  for (const dir of unique(paths.readable ?? [])) out.push('--ro-bind', dir, dir);
  for (const dir of unique(paths.writable)) out.push('--bind', dir, dir);
  out.push('--chdir', paths.cwd, '--', ...argv);
  return out;
}

/**
 * Root in the sandbox would hold capabilities there: without an agent user (one that could not
 * run bwrap, see detectSandbox) a root runner's agents are uid 1000 inside — and root outside.
 */
const UID_INSIDE_FOR_ROOT = 1000;
const agentIds = (): AgentUser => {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return uid === 0 ? { uid: UID_INSIDE_FOR_ROOT, gid: UID_INSIDE_FOR_ROOT } : { uid, gid };
};

const unique = (dirs: readonly string[]) => [...new Set(dirs.filter(Boolean))];

/*
 * bwrap's monitor leads the PTY's session and sits in its foreground process group, so a
 * Ctrl-C typed in a cooked-mode terminal (a test watcher, a dev server, a shell script)
 * reached it too: it died of the SIGINT and took the sandbox down before the program's own
 * handler could run. This prefix, run inside the sandbox, moves the program into a process
 * group of its own and makes that the terminal's foreground group, then execs it: the
 * terminal's signals (INT, QUIT, TSTP) reach the program alone. Perl because perl-base is
 * Essential on Debian (it is there wherever bubblewrap came from apt) and Node cannot call
 * tcsetpgrp. Without a terminal (setup scripts) it just execs.
 */
const FOREGROUND_SCRIPT = [
  'use POSIX ();',
  '$SIG{TTOU} = "IGNORE";', // tcsetpgrp from what is, for a moment, a background group
  'if (open(my $tty, "+<", "/dev/tty")) { POSIX::setpgid(0, 0); POSIX::tcsetpgrp(fileno($tty), POSIX::getpgrp()); close $tty }',
  '$SIG{TTOU} = "DEFAULT";',
  'exec { $ARGV[0] } @ARGV or die "baton: cannot run $ARGV[0]: $!\\n";',
].join(' ');

/** The argv prefix that makes the program the foreground of its terminal inside the sandbox. */
export function foregroundPrefix(perl: string): string[] {
  return [perl, '-e', FOREGROUND_SCRIPT, '--'];
}

export interface SandboxDetection {
  bwrap: string | null;
  /** Perl, for foregroundPrefix; null: a Ctrl-C in a cooked terminal ends the whole sandbox. */
  perl?: string | null;
  /** The unprivileged user agents run as (a root runner's), or null: the runner's own uid. */
  user: AgentUser | null;
  why: string;
}

/**
 * Whether this machine can run the sandbox: `bwrap` on the PATH and allowed to make its
 * namespaces here (a container may forbid it), as the agent user when there is one — and
 * `dataDir` reachable by it. `off` never checks; `on` insists on the sandbox. A root runner
 * whose agent user cannot run it sandboxes its agents as before (root outside) and says why.
 */
export async function detectSandbox(mode: SandboxMode, opts: { path?: string; user?: AgentUser | null; dataDir?: string; reach?: readonly string[] } = {}): Promise<SandboxDetection> {
  if (mode === 'off') return { bwrap: null, user: null, why: 'BATON_RUNNER_SANDBOX=off' };
  let bwrap: string;
  try {
    bwrap = resolveExecutable('bwrap', opts.path ?? process.env.PATH ?? '', '/');
  } catch (e) {
    return refuse(mode, e);
  }
  const tryAs = async (user: AgentUser | null) => {
    const [file, ...args] = sandboxedArgv(bwrap, ['true'], { hidden: [], writable: [], cwd: '/' }, user ?? undefined);
    await run(file, args, { timeout: 10_000, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  };
  let userWhy = '';
  if (opts.user) {
    const blocked = opts.dataDir ? await untraversable(opts.dataDir) : null;
    // What sessions run besides their work: the `baton` CLI their hooks and the demo agent call, and Node.
    const blockedTool = blocked ? null : await firstUntraversable(opts.reach ?? []);
    if (blocked) userWhy = `${blocked} is not traversable by others, so the agent user could not reach its worktree: choose BATON_DATA_DIR outside it`;
    else if (blockedTool) userWhy = `${blockedTool.dir} is not traversable by others, so the agent user could not run ${blockedTool.path}: put the checkout where others may pass (not list), e.g. chmod o+x ${blockedTool.dir}`;
    else {
      try {
        await tryAs(opts.user);
        return { bwrap, perl: findPerl(opts.path), user: opts.user, why: `bubblewrap works here; agents run as uid ${opts.user.uid}` };
      } catch (e) {
        userWhy = `bubblewrap cannot run as uid ${opts.user.uid} (${firstLine(e)})`;
      }
    }
  }
  try {
    await tryAs(null);
    return { bwrap, perl: findPerl(opts.path), user: null, why: opts.user ? `bubblewrap works here, but agents run as root outside the sandbox: ${userWhy}` : 'bubblewrap works here' };
  } catch (e) {
    return refuse(mode, e);
  }
}

function refuse(mode: SandboxMode, e: unknown): SandboxDetection {
  const why = `bubblewrap cannot run here (${firstLine(e)}); install Debian's bubblewrap`;
  if (mode === 'on') throw new Error(`BATON_RUNNER_SANDBOX=on but ${why}`);
  return { bwrap: null, user: null, why };
}

function findPerl(path = process.env.PATH ?? ''): string | null {
  try {
    return resolveExecutable('perl', path, '/');
  } catch {
    return null;
  }
}

const firstLine = (e: unknown) => ((e as Error).message || String(e)).split('\n')[0];

/** The first directory above `dir` that others may not pass through (the agent user could not reach `dir`), or null. */
async function untraversable(dir: string): Promise<string | null> {
  for (let d = dirname(dir); ; d = dirname(d)) {
    const s = await stat(d).catch(() => null);
    if (s && (s.mode & 0o001) === 0) return d;
    if (d === dirname(d)) return null;
  }
}

async function firstUntraversable(paths: readonly string[]): Promise<{ path: string; dir: string } | null> {
  for (const path of paths) {
    const dir = await untraversable(path);
    if (dir) return { path, dir };
  }
  return null;
}

/**
 * The worktree's git dir and the repository's common dir (where commits write objects and refs),
 * only where they lie inside `within` (the runner's data dir). The worktree is the agent's: a
 * `.git` file it planted could name any directory, and these dirs are made writable for the
 * session — on a root runner, handed over to the agents' user — so anything outside is dropped.
 */
export async function gitDirs(worktree: string, within: readonly string[]): Promise<string[]> {
  let named: string[];
  try {
    const { stdout } = await git(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], { cwd: worktree, timeoutMs: 10_000 });
    named = [...new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean))];
  } catch {
    return [];
  }
  const roots = (await Promise.all(within.map((d) => realpath(d).catch(() => null)))).filter((r): r is string => r !== null);
  const real = await Promise.all(named.map((d) => realpath(d).catch(() => null)));
  return real.filter((d): d is string => d !== null && roots.some((r) => d === r || d.startsWith(`${r}/`)));
}
