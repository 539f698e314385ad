import { readdirSync, readFileSync } from 'node:fs';
import { RUNNER_KEY_VAR } from './launch-env';

/*
 * What a restarted runner knows about processes it no longer holds handles for, read from
 * Linux's /proc. A PTY's program leads its own session (node-pty calls setsid), so its
 * session id is its pid and every descendant that did not setsid again shares it.
 */

export interface ProcInfo {
  pid: number;
  pgid: number;
  sid: number;
  zombie: boolean;
  /** Clock ticks after boot at which it started: with the boot id, tells a reused pid apart. */
  startTime: string;
}

export function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime"
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, pgid: Number(f[2]), sid: Number(f[3]), zombie: f[0] === 'Z', startTime: f[19] };
  } catch {
    return null;
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return [];
  }
}

/** Live (non-zombie) processes of session `sid`, or of process group `sid`. */
export function sessionMembers(sid: number): ProcInfo[] {
  return allPids()
    .map(procInfo)
    .filter((p): p is ProcInfo => !!p && !p.zombie && (p.sid === sid || p.pgid === sid));
}

/**
 * Ends everything in session `sid`: SIGTERM to each of its process groups, SIGKILL to what
 * is left after `graceMs`. Resolves with the last signal sent, or null when nothing ran.
 */
export async function killSession(sid: number, graceMs: number): Promise<NodeJS.Signals | null> {
  if (sessionMembers(sid).length === 0) return null;
  signalGroups(sid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (sessionMembers(sid).length === 0) return 'SIGTERM';
    await new Promise((r) => setTimeout(r, 25));
  }
  if (sessionMembers(sid).length === 0) return 'SIGTERM';
  signalGroups(sid, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (sessionMembers(sid).length > 0 && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 25));
  return 'SIGKILL';
}

function signalGroups(sid: number, signal: NodeJS.Signals): void {
  const members = sessionMembers(sid);
  for (const target of new Set([sid, ...members.map((m) => m.pgid)])) {
    try {
      process.kill(-target, signal);
    } catch {
      // that group is gone already
    }
  }
  for (const m of members) {
    try {
      process.kill(m.pid, signal); // a member in a group led by someone outside the session
    } catch {
      // gone
    }
  }
}

/** Processes (other than this one) whose initial environment holds `NAME=value` — every pair given, in one pass over /proc. */
export function processesWithEnv(name: string, value: string, ...more: [name: string, value: string][]): number[] {
  const needles = [[name, value] as const, ...more].map(([n, v]) => Buffer.from(`${n}=${v}\0`));
  const holds = (env: Buffer, needle: Buffer) => {
    const at = env.indexOf(needle);
    return at === 0 || (at > 0 && env[at - 1] === 0);
  };
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const env = readFileSync(`/proc/${pid}/environ`);
      return needles.every((needle) => holds(env, needle));
    } catch {
      return false; // gone, or not ours to read
    }
  });
}

/** The value of `name` in a process's initial environment, or null (absent, gone, not ours to read). */
export function envOf(pid: number, name: string): string | null {
  try {
    const needle = `${name}=`;
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(needle));
    return entry === undefined ? null : entry.slice(needle.length);
  } catch {
    return null;
  }
}

/**
 * Processes that left a session's process tree (a daemon that called setsid, `nohup … &` under an
 * agent's own PTY) but still carry its tags: the session id and this runner's key, inherited
 * through their environment. Both must match — another installation's processes never do.
 */
export function escapedMembers(sessionId: string, runnerKey: string): number[] {
  return processesWithEnv('BATON_SESSION_ID', sessionId, [RUNNER_KEY_VAR, runnerKey]);
}

/** SIGTERM to each, SIGKILL to what is left after `graceMs`; resolves with how many there were. */
export async function killPids(pids: number[], graceMs: number): Promise<number> {
  const alive = (pid: number) => {
    const info = procInfo(pid);
    return !!info && !info.zombie;
  };
  const send = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  };
  pids.forEach((pid) => send(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 25));
  pids.filter(alive).forEach((pid) => send(pid, 'SIGKILL'));
  return pids.length;
}
