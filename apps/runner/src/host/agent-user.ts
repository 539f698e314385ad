import { execFile } from 'node:child_process';
import { chmod, lstat, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { WrittenPath } from './shared-dirs';

const run = promisify(execFile);

/*
 * A runner that runs as root must not run agents as root (issue #12 item 2). Inside bubblewrap's
 * user namespace a root runner's agent was uid 1000 — but uid 0 on the host, so it could read
 * every root-owned file the read-only root showed it: /etc/shadow, /root (npm and ssh keys),
 * the broker's store under /var/lib/nats-server. It now runs as an unprivileged user of its own
 * (BATON_RUNNER_AGENT_UID, default 64000; one per runner), which owns what the session works in —
 * its worktree, the repository's git dirs, its agent home, its session dir — and nothing else of
 * the runner: the data dir and the directories on the way are traversable, not listable, and
 * everything else of the runner's stays root's. A runner that is not root runs its agents as itself.
 */

export interface AgentUser {
  uid: number;
  gid: number;
}

export const DEFAULT_AGENT_UID = 64000;

/** The user agents run as: a root runner's own unprivileged one, else none (the runner's own uid). */
export function agentUserFor(runnerUid: number, configured?: number): AgentUser | null {
  if (runnerUid !== 0) return null;
  const uid = configured ?? DEFAULT_AGENT_UID;
  return { uid, gid: uid };
}

/**
 * Gives the agent user what the session works in, before each start (what the runner wrote
 * there as root since — a fetch, launch files, a renewed token — becomes the agent's too), and
 * lets it pass through `throughDirs` (the data dir and the directories between it and those)
 * without listing them.
 */
export async function handOver(user: AgentUser, owned: readonly string[], throughDirs: readonly string[]): Promise<void> {
  for (const dir of new Set(throughDirs)) {
    const s = await stat(dir).catch(() => null);
    if (s?.isDirectory() && (s.mode & 0o001) === 0) await chmod(dir, (s.mode & 0o7777) | 0o111);
  }
  const dirs = [...new Set(owned.filter(Boolean))];
  if (dirs.length) await batchFor(user).run(dirs);
}

const chownR = (owner: string, dirs: readonly string[]) => run('chown', ['-R', '--no-dereference', owner, '--', ...dirs], { timeout: 120_000 });

/**
 * The `chown -R` of starts arriving while one runs, run together as the next one: a burst of 100
 * starts forks a few processes on a machine it already saturates, not 100. A failed batch is run
 * again start by start, so one start's failure is not the others'.
 */
class ChownBatch {
  private queue: { dirs: readonly string[]; done: (err?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly owner: string) {}

  run(dirs: readonly string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ dirs, done: (err) => (err === undefined ? resolve() : reject(err as Error)) });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await chownR(this.owner, [...new Set(batch.flatMap((b) => b.dirs))]);
        for (const b of batch) b.done();
      } catch {
        await Promise.all(batch.map((b) => chownR(this.owner, b.dirs).then(() => b.done(), (err: unknown) => b.done(err ?? new Error('chown failed')))));
      }
    }
    this.running = false;
  }
}

const MAX_BATCH = 64;
const batches = new Map<string, ChownBatch>();
function batchFor(user: AgentUser): ChownBatch {
  const owner = `${user.uid}:${user.gid}`;
  let batch = batches.get(owner);
  if (!batch) batches.set(owner, (batch = new ChownBatch(owner)));
  return batch;
}

/**
 * Gives the agent user these entries (deep: with everything below). What is gone meanwhile is
 * skipped; a failure is tried once more, since git may rename or remove a file of the tree while
 * `chown -R` walks it (a fetch or a commit going on beside).
 */
export async function chownPaths(user: AgentUser, paths: readonly WrittenPath[]): Promise<void> {
  const owner = `${user.uid}:${user.gid}`;
  for (let attempt = 1; ; attempt++) {
    const present = (await Promise.all(paths.map(async (p) => ((await lstat(p.path).catch(() => null)) ? p : null)))).filter((p) => p !== null);
    const deep = present.filter((p) => p.deep).map((p) => p.path);
    const shallow = present.filter((p) => !p.deep).map((p) => p.path);
    try {
      if (deep.length) await run('chown', ['-R', '--no-dereference', owner, '--', ...deep], { timeout: 120_000 });
      if (shallow.length) await run('chown', ['--no-dereference', owner, '--', ...shallow], { timeout: 120_000 });
      return;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}

/** Every directory from `path` up to (and including) `root`: what must be traversable to reach `path`. */
export function dirsBetween(root: string, path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); d.startsWith(root) && d.length >= root.length; d = dirname(d)) {
    out.push(d);
    if (d === root) break;
  }
  return out;
}
