import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveExecutable } from '../pty';

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
 * which it is not root (the runner's uid, or 1000 when the runner is root): it holds no
 * capability, so it cannot unmount what hides the runner's state, yet it may build namespaces
 * of its own (Codex runs every command in its bundled bubblewrap). Its files are the runner's on
 * the host.
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

/** Root in the sandbox would hold capabilities there: a root runner's agents are uid 1000 inside. */
const AGENT_UID_FOR_ROOT = 1000;
const agentIds = () => {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return uid === 0 ? { uid: AGENT_UID_FOR_ROOT, gid: AGENT_UID_FOR_ROOT } : { uid, gid };
};

const unique = (dirs: readonly string[]) => [...new Set(dirs.filter(Boolean))];

/**
 * Whether this machine can run the sandbox: `bwrap` on the PATH and allowed to make its
 * namespaces here (a container may forbid it). `off` never checks; `on` insists.
 */
export async function detectSandbox(mode: SandboxMode, path = process.env.PATH ?? ''): Promise<{ bwrap: string | null; why: string }> {
  if (mode === 'off') return { bwrap: null, why: 'BATON_RUNNER_SANDBOX=off' };
  try {
    const bwrap = resolveExecutable('bwrap', path, '/');
    const [file, ...args] = sandboxedArgv(bwrap, ['true'], { hidden: [], writable: [], cwd: '/' });
    await run(file, args, { timeout: 10_000 });
    return { bwrap, why: 'bubblewrap works here' };
  } catch (e) {
    const why = `bubblewrap cannot run here (${((e as Error).message || String(e)).split('\n')[0]}); install Debian's bubblewrap`;
    if (mode === 'on') throw new Error(`BATON_RUNNER_SANDBOX=on but ${why}`);
    return { bwrap: null, why };
  }
}

/** The worktree's git dir and the repository's common dir (where commits write objects and refs). */
export async function gitDirs(worktree: string): Promise<string[]> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], { cwd: worktree, timeout: 10_000 });
    return [...new Set(stdout.split('\n').map((l) => l.trim()).filter(Boolean))];
  } catch {
    return [];
  }
}
