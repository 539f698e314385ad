import { accessSync, closeSync, constants as fsConstants, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { constants as osConstants, setPriority } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { spawn as spawnNodePty, type IPty } from 'node-pty';

export interface PtySpawnOptions {
  /** Program and its arguments, handed to execvp as they are: never parsed by a shell. */
  argv: readonly string[];
  /** The complete environment of the program (callers merge process.env in themselves if they want it). */
  env: Record<string, string>;
  cwd: string;
  cols: number;
  rows: number;
  /** How long `kill()` waits after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Nice value for the program (its children inherit it); 0 or absent leaves the runner's. */
  nice?: number;
  /** Run it as this user (a root runner's agents: host/agent-user.ts); absent: as the runner. */
  user?: { uid: number; gid: number };
  /**
   * argv starts a sandbox (bubblewrap) that runs the program as its child and exits with its
   * status. Such a monitor dies of a SIGTERM at once, and the sandbox's namespace with it (the
   * program killed, not stopped): a stop signals what runs inside instead. Its exit status
   * 128+n, a shell's way of saying "killed by signal n", is reported as that signal.
   */
  sandboxMonitor?: boolean;
}

export interface PtyExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface PtyProcess {
  readonly pid: number;
  /** Raw bytes as the program wrote them; returns an unsubscribe function. */
  onData(listener: (data: Buffer) => void): () => void;
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Stops reading the PTY: once the kernel buffer fills, the program blocks on write. */
  pause(): void;
  resume(): void;
  /**
   * Sends `signal` (SIGTERM) to the program's whole process group and session, then SIGKILL
   * to whatever is left after the grace period. Resolves with the exit of the program.
   */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<PtyExit>;
  readonly exited: Promise<PtyExit>;
}

export class PtySpawnError extends Error {
  readonly code = 'spawn_failed';
  constructor(message: string) {
    super(message);
    this.name = 'PtySpawnError';
  }
}

const DEFAULT_KILL_GRACE_MS = 5_000;
const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

export function spawnPty(opts: PtySpawnOptions): PtyProcess {
  const [command, ...args] = opts.argv;
  if (!command) throw new PtySpawnError('argv is empty');
  // node-pty reports a missing program only as "execvp(3) failed" on the terminal and exit 1;
  // resolving it first turns that into an error the caller can record as a spawn failure.
  const file = resolveExecutable(command, opts.env.PATH ?? '', opts.cwd);
  const env = { TERM: 'xterm-256color', ...opts.env };
  const [execFile, execArgs] = withoutInheritedFds(file, args);
  let pty: IPty;
  try {
    pty = spawnNodePty(execFile, execArgs, { name: env.TERM, cols: opts.cols, rows: opts.rows, cwd: opts.cwd, env, encoding: null, ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}) });
  } catch (e) {
    throw new PtySpawnError(`could not start ${command}: ${(e as Error).message}`);
  }
  // Set while the fd-closing wrapper still runs, so the program starts with it; exec keeps it.
  if (opts.nice) {
    try {
      setPriority(pty.pid, opts.nice);
    } catch {
      // not allowed here: the program runs at the runner's priority
    }
  }
  return new NodePtyProcess(pty, opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS, holdSlave(pty), opts.sandboxMonitor ?? false);
}

/*
 * node-pty 1.1 leaves every PTY's master descriptor inheritable on Linux (forkpty gives no
 * close-on-exec, and node-pty does not set it), so each program spawned later holds the
 * terminals of all sessions running at that moment: it can read and type into them, and
 * when the runner dies their terminals are never hung up. Node cannot set FD_CLOEXEC, so
 * the program is started through bash, which closes every descriptor above 2 and execs it
 * (argv passed as "$@": data, never parsed; `--posix` so BASH_ENV is not read). Without bash or
 * /proc it is spawned directly.
 */
const CLOSE_INHERITED_FDS = 'for fd in /proc/self/fd/*; do fd=${fd##*/}; if ((fd > 2)) && [[ -L /proc/self/fd/$fd ]]; then exec {fd}>&-; fi; done; exec "$@"';
let bashPath: string | null | undefined;

export function withoutInheritedFds(file: string, args: readonly string[]): [string, string[]] {
  if (bashPath === undefined) {
    bashPath = process.platform === 'linux' && existsSync('/proc/self/fd') ? (['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p)) ?? null) : null;
  }
  return bashPath ? [bashPath, ['--posix', '--noprofile', '--norc', '-c', CLOSE_INHERITED_FDS, 'baton-exec', file, ...args]] : [file, [...args]];
}

/**
 * On Linux the output still buffered in the PTY is discarded when the program's side closes
 * (the hangup), so a fast writer loses its last kilobytes. Keeping a slave descriptor of our
 * own open until node-pty reports the exit avoids that hangup; node-pty then closes the
 * terminal on its own 200 ms after the exit, once it has read everything.
 */
function holdSlave(pty: IPty): number | null {
  const path = (pty as unknown as { ptsName?: string }).ptsName;
  if (!path) return null;
  try {
    return openSync(path, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
  } catch {
    return null; // the program already exited and the terminal is gone: nothing left to keep
  }
}

class NodePtyProcess implements PtyProcess {
  readonly exited: Promise<PtyExit>;
  private done = false;
  private exitWatch: NodeJS.Timeout | null = null;

  constructor(
    private readonly pty: IPty,
    private readonly defaultGraceMs: number,
    slaveFd: number | null,
    private readonly sandboxMonitor: boolean,
  ) {
    this.exited = new Promise((resolveExit) =>
      pty.onExit(({ exitCode, signal }) => {
        this.done = true;
        if (this.exitWatch) clearInterval(this.exitWatch);
        if (slaveFd !== null) closeSync(slaveFd);
        const name = signal ? (signalNames.get(signal) ?? null) : sandboxMonitor ? signalOfStatus(exitCode) : null;
        resolveExit({ exitCode: name ? null : exitCode, signal: name });
      }),
    );
  }

  get pid(): number {
    return this.pty.pid;
  }

  onData(listener: (data: Buffer) => void): () => void {
    // With `encoding: null` node-pty hands out Buffers, although its typings say string.
    const sub = this.pty.onData((d) => listener(typeof d === 'string' ? Buffer.from(d) : (d as Buffer)));
    return () => sub.dispose();
  }

  write(data: string | Uint8Array): void {
    if (!this.done) this.pty.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(cols: number, rows: number): void {
    if (!this.done) this.pty.resize(Math.max(1, Math.floor(cols)), Math.max(1, Math.floor(rows)));
  }

  pause(): void {
    if (this.done || this.exitWatch) return;
    this.pty.pause();
    // node-pty destroys the PTY 200 ms after the program exits: a reader still paused then
    // would lose the program's last output. Watching for the exit and resuming at once
    // leaves that window to read the (kernel-bounded) rest.
    this.exitWatch = setInterval(() => {
      if (!isRunning(this.pty.pid)) this.resume();
    }, 20);
  }

  resume(): void {
    if (this.exitWatch) clearInterval(this.exitWatch);
    this.exitWatch = null;
    this.pty.resume();
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = this.defaultGraceMs): Promise<PtyExit> {
    // node-pty waits for the terminal to drain before reporting exit.
    this.resume();
    // node-pty calls setsid(): the program leads its own session and process group, so
    // -pid reaches its children; the session sweep also reaches job-control groups.
    if (this.sandboxMonitor && signal !== 'SIGKILL') signalAllBut(this.pid, signal);
    else signalGroups(groupsOf(this.pid), signal);
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && anyAlive(this.pid)) await sleep(25);
    if (anyAlive(this.pid)) signalGroups(groupsOf(this.pid), 'SIGKILL');
    return this.exited;
  }
}

/** False once the process ended (gone, or a zombie waiting to be reaped). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill 0 said it exists
  }
}

/** The signal a shell-style exit status 128+n stands for, if n is one. */
function signalOfStatus(status: number): NodeJS.Signals | null {
  return status > 128 ? (signalNames.get(status - 128) ?? null) : null;
}

/** `signal` to every process of session `sid` but its leader, one by one (a group signal would reach the leader too). */
function signalAllBut(sid: number, signal: NodeJS.Signals): void {
  for (const m of membersOf(sid) ?? []) {
    if (m.pid === sid || m.zombie) continue;
    try {
      process.kill(m.pid, signal);
    } catch {
      // gone already
    }
  }
}

function signalGroups(groups: number[], signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      // ESRCH: that group is gone already.
    }
  }
}

interface ProcEntry {
  pid: number;
  pgid: number;
  zombie: boolean;
}

/** Processes in session `sid` or process group `sid` (Linux /proc); null where there is no /proc. */
function membersOf(sid: number): ProcEntry[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const members: ProcEntry[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp session …" — comm may contain spaces and parentheses.
      const [state, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(session) === sid || Number(pgrp) === sid) members.push({ pid: Number(entry), pgid: Number(pgrp), zombie: state === 'Z' });
    } catch {
      // exited while we looked
    }
  }
  return members;
}

function groupsOf(sid: number): number[] {
  return [...new Set([sid, ...(membersOf(sid) ?? []).map((m) => m.pgid)])];
}

/** Whether anything of the session still runs; zombies (orphans nobody reaped yet) do not count. */
function anyAlive(sid: number): boolean {
  const members = membersOf(sid);
  if (members) return members.some((m) => !m.zombie);
  try {
    process.kill(-sid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** execvp's lookup, done up front so a missing program is an error and not terminal output. */
export function resolveExecutable(command: string, path: string, cwd: string): string {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : path.split(delimiter).filter(Boolean).map((dir) => join(resolve(cwd, dir), command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new PtySpawnError(`command not found or not executable: ${command}${command.includes('/') ? '' : ` (PATH=${path})`}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
