import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { copyFiles, type CopyFilesResult } from './copy-files';
import { diffFiles, diffUntracked, type FileDiff } from './diff';
import { diskUsage } from './disk-usage';
import { assertBranchName, DEFAULT_GIT_TIMEOUTS, git, gitValue, resolveCommit, type GitTimeouts } from './git';
import { isMergedInto, mergeIntoBase, type GitIdentity, type MergeResult, type MergeStrategy } from './merge';
import { ensureMirror, locateMirror, resolveBase, type Mirror } from './mirror';
import { publishBranch } from './publish';
import type { TrainIntegration } from '@baton/events';
import { buildCars, checkoutCommit, landBatch, type CarResult, type Landing, type TrainCarInput } from './train';

/** What the runner remembers of an attempt's worktree (a JSON file beside it). */
export interface WorktreeRecord {
  attemptId: string;
  /** Absolute local path or URL the mirror was cloned from. */
  repository: string;
  mirrorDir: string;
  dir: string;
  branch: string;
  /** The branch the attempt merges into; null when it was started from a commit or tag. */
  baseBranch: string | null;
  /** The commit the worktree was created from. */
  baseCommit: string;
  createdAt: string;
  lastUsedAt: string;
  merged?: { commit: string; strategy: MergeStrategy; at: string };
}

export interface EnsureWorktreeInput {
  attemptId: string;
  /** Local path or URL of the project's repository. */
  repository: string;
  branch: string;
  /** Branch (local or the origin's) or commit the attempt starts from. */
  base: string;
  /** Aborting kills the clone or fetch this needs (the session that waits for it was stopped). */
  signal?: AbortSignal;
}

export interface CleanupReport {
  removed: WorktreeRecord[];
  /** Old enough to go, but holding work nobody merged — listed so an operator decides. */
  kept: { record: WorktreeRecord; reason: 'unmerged' | 'uncommitted_changes' | 'active' | 'error'; detail?: string }[];
}

export interface WorktreesOptions {
  /** The runner's data dir: `repos/` (mirrors), `worktrees/` (one per attempt), `tmp/`. */
  dataDir: string;
  /** Who commits merges. */
  identity?: GitIdentity;
  now?: () => Date;
  /** How long a clone, fetch or push of a project's repository may take. */
  gitTimeouts?: GitTimeouts;
}

const ATTEMPT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Told where the runner wrote as root in a repository it shares with its sessions (a root
 * runner's agents' user must own it again: host/shared-dirs.ts): `paths` absolute inside
 * `root`, each a tree (`deep`) or one entry; none: anywhere in `root`. Called once the write ended.
 */
export type RootWriteListener = (root: string, paths?: readonly { path: string; deep: boolean }[]) => void;

/** Worktrees of attempts: one branch and one directory each, in a mirror of the project's repository. */
export class Worktrees {
  private readonly reposDir: string;
  private readonly worktreesDir: string;
  private readonly scratchDir: string;
  private readonly identity: GitIdentity;
  private readonly now: () => Date;
  private readonly gitTimeouts: GitTimeouts;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Per mirror, when its last fetch started (performance.now()); see `fetchSince`. */
  private readonly fetchedAt = new Map<string, number>();
  private readonly writeListeners: RootWriteListener[] = [];

  constructor(opts: WorktreesOptions) {
    this.reposDir = join(opts.dataDir, 'repos');
    this.worktreesDir = join(opts.dataDir, 'worktrees');
    this.scratchDir = join(opts.dataDir, 'tmp');
    this.identity = opts.identity ?? { name: 'Baton', email: 'baton@localhost' };
    this.now = opts.now ?? (() => new Date());
    this.gitTimeouts = opts.gitTimeouts ?? DEFAULT_GIT_TIMEOUTS;
  }

  /** Creates the attempt's worktree, or hands back the existing one (recreating a deleted directory). */
  async ensure(input: EnsureWorktreeInput): Promise<WorktreeRecord & { reused: boolean }> {
    checkAttemptId(input.attemptId);
    const existing = await this.get(input.attemptId);
    if (existing && existing.branch !== input.branch) {
      throw new Error(`attempt ${input.attemptId} already has branch ${existing.branch}, not ${input.branch}`);
    }
    const askedAt = performance.now();
    // Outside the mirror's lock: the name needs no repository, and a burst checks names in parallel.
    await assertBranchName(tmpdir(), input.branch);
    const mirror = await locateMirror(this.reposDir, input.repository);
    return this.serialize(mirror.dir, async () => {
      input.signal?.throwIfAborted();
      const dir = join(this.worktreesDir, input.attemptId);
      const at = this.now().toISOString();
      if (existing && existsSync(join(dir, '.git'))) {
        const record = { ...existing, lastUsedAt: at };
        await this.save(record);
        return { ...record, reused: true };
      }
      await this.fetchSince(mirror.dir, askedAt, () => this.writing(mirror.dir, null, () => ensureMirror(this.reposDir, input.repository, { signal: input.signal, timeouts: this.gitTimeouts }).then(() => undefined)));
      await mkdir(this.worktreesDir, { recursive: true });
      const branchTip = await resolveCommit(mirror.dir, `refs/heads/${input.branch}`);
      // A worktree add writes the worktree's git dir in the mirror (all of them, when it failed before
      // naming it), its branch (and the base's, synced) in refs/heads.
      let linked: string | null = null;
      const added = () => [
        { path: join(mirror.dir, 'worktrees'), deep: !linked },
        ...(linked ? [{ path: linked, deep: true }] : []),
        { path: join(mirror.dir, 'refs', 'heads'), deep: true },
        { path: join(mirror.dir, 'logs'), deep: true },
      ];
      const record = await this.writing(mirror.dir, added, async () => {
        const made = await this.addWorktree(input, existing, mirror, dir, at, branchTip);
        const gitDir = await linkedGitDir(dir);
        // Named as the mirror is (a data dir behind a symlink would not be): else all of worktrees/.
        if (gitDir?.startsWith(`${mirror.dir}/worktrees/`)) linked = gitDir;
        return made;
      });
      await this.save(record);
      return { ...record, reused: false };
    });
  }

  /** Checks the attempt's branch out in `dir`: again when it outlived its directory, else made from its base. */
  private async addWorktree(input: EnsureWorktreeInput, existing: WorktreeRecord | null, mirror: Mirror, dir: string, at: string, branchTip: string | null): Promise<WorktreeRecord> {
    if (branchTip) {
      // The branch outlived its directory (deleted by hand, or a crash): check it out again,
      // once git has forgotten the worktree whose directory is gone.
      await git(['worktree', 'prune'], { cwd: mirror.dir });
      await git(['worktree', 'add', '--quiet', dir, input.branch], { cwd: mirror.dir });
      const base = existing ?? (await this.recordFor(input, mirror.dir, dir, at, branchTip));
      return { ...base, dir, lastUsedAt: at };
    }
    const base = await resolveBase(mirror.dir, input.base);
    await git(['worktree', 'add', '--quiet', '-b', input.branch, dir, base.commit], { cwd: mirror.dir });
    return { attemptId: input.attemptId, repository: mirror.origin, mirrorDir: mirror.dir, dir, branch: input.branch, baseBranch: base.branch, baseCommit: base.commit, createdAt: at, lastUsedAt: at };
  }

  async get(attemptId: string): Promise<WorktreeRecord | null> {
    checkAttemptId(attemptId);
    const text = await readFile(this.recordPath(attemptId), 'utf8').catch(() => null);
    return text ? (JSON.parse(text) as WorktreeRecord) : null;
  }

  async list(): Promise<WorktreeRecord[]> {
    const names = await readdir(this.worktreesDir).catch(() => [] as string[]);
    const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.get(n.slice(0, -'.json'.length))));
    return records.filter((r): r is WorktreeRecord => r !== null);
  }

  /**
   * Files the attempt changed since it left its base (`<base>...<branch>`), with hunks.
   * `uncommitted` also shows what sits uncommitted in the worktree, untracked files included.
   */
  async diff(attemptId: string, opts: { uncommitted?: boolean } = {}): Promise<FileDiff[]> {
    const r = await this.require(attemptId);
    const base = (r.baseBranch && (await resolveCommit(r.mirrorDir, `refs/heads/${r.baseBranch}`))) || r.baseCommit;
    if (!opts.uncommitted) return diffFiles(r.mirrorDir, [`${base}...refs/heads/${r.branch}`]);
    const mergeBase = await gitValue(['merge-base', base, 'HEAD'], { cwd: r.dir });
    const tracked = await diffFiles(r.dir, [mergeBase]);
    const untracked = (await git(['ls-files', '--others', '--exclude-standard', '-z'], { cwd: r.dir })).stdout.split('\0').filter(Boolean);
    return [...tracked, ...(await Promise.all(untracked.map((p) => diffUntracked(r.dir, p))))].sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Squash or merge-commit the attempt's committed work into its base branch: on the
   * project's newest base (fetched first), made in the mirror, then published to the
   * project's repository (`publishBranch`: a push, or a fast-forward of its checkout) —
   * where the base lives for everyone else, other runners included. When the repository
   * does not take it, the mirror's base goes back to where it was and the error says why.
   * `publish: false` merges in the mirror only.
   */
  async merge(attemptId: string, opts: { strategy: MergeStrategy; message: string; author?: GitIdentity; publish?: boolean }): Promise<MergeResult> {
    const r = await this.require(attemptId);
    if (!r.baseBranch) throw new Error(`attempt ${attemptId} started from a commit, not a branch: nothing to merge into`);
    const baseBranch = r.baseBranch;
    const { publish = true, ...merge } = opts;
    const askedAt = performance.now();
    return this.serialize(r.mirrorDir, () => this.writing(r.mirrorDir, null, async () => {
      if (publish) await this.fetchSince(r.mirrorDir, askedAt, () => git(['fetch', '--prune', '--quiet', 'origin'], { cwd: r.mirrorDir, timeoutMs: this.gitTimeouts.fetchMs }).then(() => undefined));
      const result = await mergeIntoBase({ mirrorDir: r.mirrorDir, scratchDir: this.scratchDir, branch: r.branch, baseBranch, committer: this.identity, ...merge });
      if (publish && result.changed) {
        try {
          await publishBranch({ mirrorDir: r.mirrorDir, repository: r.repository, branch: baseBranch, commit: result.commit, timeoutMs: this.gitTimeouts.fetchMs });
        } catch (e) {
          await git(['update-ref', `refs/heads/${baseBranch}`, result.previousCommit, result.commit], { cwd: r.mirrorDir }).catch(() => undefined);
          throw e;
        }
      }
      await this.save({ ...r, merged: { commit: result.commit, strategy: opts.strategy, at: this.now().toISOString() } });
      return result;
    }));
  }

  /**
   * A merge-train build (worktree/train.ts) of cars whose attempts ran here, in the first one's
   * mirror, under its lock. A car this runner has no worktree for is answered `failed`.
   */
  async trainBuild(m: { target: string; batchId: string; cars: TrainCarInput[]; onto: string | null; integration: TrainIntegration; land: boolean }): Promise<{ cars: CarResult[]; landing: Landing | null }> {
    const records = await Promise.all(m.cars.map((c) => this.get(c.attemptId)));
    const first = records[0];
    if (!first) throw new Error(`no worktree for attempt ${m.cars[0].attemptId}`);
    const cars = m.cars.map((c, i) => {
      const r = records[i];
      if (c.refused) return c;
      if (!r || r.mirrorDir !== first.mirrorDir) return { ...c, refused: `this runner holds no worktree for attempt ${c.attemptId} in ${first.repository}` };
      if (r.branch !== c.branch) return { ...c, refused: `attempt ${c.attemptId} here is on branch ${r.branch}, not ${c.branch}` };
      return c;
    });
    return this.serialize(first.mirrorDir, () =>
      this.writing(first.mirrorDir, null, () =>
        buildCars({ mirrorDir: first.mirrorDir, scratchDir: this.scratchDir, repository: first.repository, target: m.target, batchId: m.batchId, cars, onto: m.onto, integration: m.integration, committer: this.identity, land: m.land, timeoutMs: this.gitTimeouts.fetchMs }),
      ),
    );
  }

  /** Lands a merge-train batch's result on its target, only as a fast-forward (worktree/train.ts). */
  async trainLand(attemptId: string, m: { target: string; batchId: string; commit: string; base: string }): Promise<Landing> {
    const r = await this.require(attemptId);
    return this.serialize(r.mirrorDir, () =>
      this.writing(r.mirrorDir, null, () => landBatch({ mirrorDir: r.mirrorDir, repository: r.repository, target: m.target, batchId: m.batchId, commit: m.commit, base: m.base, timeoutMs: this.gitTimeouts.fetchMs })),
    );
  }

  /** A detached checkout of a merge-train batch's result in `worktrees/<key>` (a check's workspace); made once. */
  async checkout(input: { key: string; repository: string; commit: string; ref: string; signal?: AbortSignal }): Promise<{ dir: string; created: boolean }> {
    checkAttemptId(input.key);
    const dir = join(this.worktreesDir, input.key);
    const mirror = await locateMirror(this.reposDir, input.repository);
    return this.serialize(mirror.dir, () =>
      this.writing(mirror.dir, null, async () => {
        if (existsSync(join(dir, '.git'))) return { dir, created: false };
        await ensureMirror(this.reposDir, input.repository, { signal: input.signal, timeouts: this.gitTimeouts });
        await mkdir(this.worktreesDir, { recursive: true });
        await checkoutCommit({ mirrorDir: mirror.dir, dir, commit: input.commit, ref: input.ref, timeoutMs: this.gitTimeouts.fetchMs });
        return { dir, created: true };
      }),
    );
  }

  /** Removes a checkout made by `checkout` (its check ended): it holds no branch, so nothing of anyone's is lost. */
  async removeCheckout(key: string, repository: string): Promise<void> {
    checkAttemptId(key);
    const dir = join(this.worktreesDir, key);
    const mirror = await locateMirror(this.reposDir, repository);
    await this.serialize(mirror.dir, () =>
      this.writing(mirror.dir, null, async () => {
        await git(['worktree', 'remove', '--force', dir], { cwd: mirror.dir }).catch(() => rm(dir, { recursive: true, force: true }));
        await git(['worktree', 'prune'], { cwd: mirror.dir }).catch(() => undefined);
      }),
    );
  }

  /** Publishes the mirror's base branch to the project's repository (see `merge`). */
  async pushBase(attemptId: string): Promise<void> {
    const r = await this.require(attemptId);
    if (!r.baseBranch) throw new Error(`attempt ${attemptId} has no base branch`);
    const baseBranch = r.baseBranch;
    await this.serialize(r.mirrorDir, () => this.writing(r.mirrorDir, [{ path: join(r.mirrorDir, 'refs'), deep: true }, { path: join(r.mirrorDir, 'packed-refs'), deep: false }], async () => {
      const commit = await resolveCommit(r.mirrorDir, `refs/heads/${baseBranch}`);
      if (!commit) throw new Error(`base branch ${baseBranch} does not exist`);
      await publishBranch({ mirrorDir: r.mirrorDir, repository: r.repository, branch: baseBranch, commit, timeoutMs: this.gitTimeouts.fetchMs });
    }));
  }

  async isMerged(attemptId: string): Promise<boolean> {
    const r = await this.require(attemptId);
    const baseBranch = r.baseBranch;
    if (!baseBranch) return false;
    // `merge-tree --write-tree` writes objects.
    return this.writing(r.mirrorDir, [{ path: join(r.mirrorDir, 'objects'), deep: true }], () => isMergedInto(r.mirrorDir, r.branch, baseBranch));
  }

  /** Uncommitted or untracked (not ignored) files in the worktree: work that no branch holds. */
  async uncommittedChanges(attemptId: string): Promise<string[]> {
    const r = await this.require(attemptId);
    if (!existsSync(r.dir)) return [];
    const status = await git(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: r.dir });
    return status.stdout.split('\0').filter(Boolean).map((l) => l.slice(3));
  }

  async diskUsage(attemptId: string): Promise<number> {
    const r = await this.require(attemptId);
    return existsSync(r.dir) ? diskUsage(r.dir) : 0;
  }

  /** Copies untracked files (`.env` …) into the worktree; from the project's checkout when it is local. */
  async copyFiles(attemptId: string, paths: readonly string[], sourceRoot?: string): Promise<CopyFilesResult> {
    const r = await this.require(attemptId);
    const from = sourceRoot ?? (isAbsolute(r.repository) ? r.repository : null);
    if (!from) throw new Error(`repository ${r.repository} is not local: say where to copy files from`);
    return copyFiles(from, r.dir, paths);
  }

  /** Removes the worktree, its branch and its record. Callers check `isMerged` first. */
  async remove(attemptId: string): Promise<void> {
    const r = await this.require(attemptId);
    await this.serialize(r.mirrorDir, () => this.writing(r.mirrorDir, null, async () => {
      if (existsSync(r.dir)) await git(['worktree', 'remove', '--force', r.dir], { cwd: r.mirrorDir }).catch(() => rm(r.dir, { recursive: true, force: true }));
      await git(['worktree', 'prune'], { cwd: r.mirrorDir });
      await git(['branch', '-D', r.branch], { cwd: r.mirrorDir, okCodes: [1] });
      await rm(this.recordPath(attemptId), { force: true });
    }));
  }

  /**
   * Removes worktrees unused for `olderThanDays` whose branch is merged into its base and
   * that hold no uncommitted work. Everything else old is kept and reported, never deleted.
   */
  async cleanup(opts: { olderThanDays: number; isActive?: (attemptId: string) => boolean }): Promise<CleanupReport> {
    const cutoff = this.now().getTime() - opts.olderThanDays * 86_400_000;
    const report: CleanupReport = { removed: [], kept: [] };
    for (const record of await this.list()) {
      if (Date.parse(record.lastUsedAt) > cutoff) continue;
      try {
        if (opts.isActive?.(record.attemptId)) {
          report.kept.push({ record, reason: 'active' });
        } else if (!(await this.isMerged(record.attemptId))) {
          report.kept.push({ record, reason: 'unmerged' });
        } else {
          const dirty = await this.uncommittedChanges(record.attemptId);
          if (dirty.length > 0) {
            report.kept.push({ record, reason: 'uncommitted_changes', detail: dirty.slice(0, 20).join(', ') });
          } else {
            await this.remove(record.attemptId);
            report.removed.push(record);
          }
        }
      } catch (e) {
        report.kept.push({ record, reason: 'error', detail: (e as Error).message });
      }
    }
    return report;
  }

  private async recordFor(input: EnsureWorktreeInput, mirrorDir: string, dir: string, at: string, branchTip: string): Promise<WorktreeRecord> {
    const base = await resolveBase(mirrorDir, input.base);
    const baseCommit = (await git(['merge-base', base.commit, branchTip], { cwd: mirrorDir, okCodes: [1] })).stdout.trim() || base.commit;
    return { attemptId: input.attemptId, repository: await gitValue(['config', 'remote.origin.url'], { cwd: mirrorDir }), mirrorDir, dir, branch: input.branch, baseBranch: base.branch, baseCommit, createdAt: at, lastUsedAt: at };
  }

  private async require(attemptId: string): Promise<WorktreeRecord> {
    const r = await this.get(attemptId);
    if (!r) throw new Error(`no worktree for attempt ${attemptId}`);
    return r;
  }

  private recordPath(attemptId: string): string {
    return join(this.worktreesDir, `${attemptId}.json`);
  }

  private async save(record: WorktreeRecord): Promise<void> {
    await mkdir(this.worktreesDir, { recursive: true });
    const tmp = `${this.recordPath(record.attemptId)}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(record, null, 2));
    await rename(tmp, this.recordPath(record.attemptId));
  }

  /**
   * Inside the mirror's lock: fetches unless a fetch that started after `askedAt` has run
   * already. Starts (and merges) queued behind one fetch share it, and each still sees the
   * repository as of some moment after it asked: a burst of 100 starts fetches a few times,
   * not 100 times.
   */
  private async fetchSince(mirrorDir: string, askedAt: number, fetch: () => Promise<void>): Promise<void> {
    if (existsSync(join(mirrorDir, 'HEAD')) && (this.fetchedAt.get(mirrorDir) ?? -Infinity) >= askedAt) return;
    const started = performance.now();
    await fetch();
    this.fetchedAt.set(mirrorDir, started);
  }

  /** Calls `listener` after each write of the runner's in a mirror (see `RootWriteListener`). */
  onWrite(listener: RootWriteListener): void {
    this.writeListeners.push(listener);
  }

  /** Runs a write in `root` (`paths` of it; null: anywhere) and says so when it ended, failed or not. */
  private async writing<T>(root: string, paths: { path: string; deep: boolean }[] | (() => { path: string; deep: boolean }[]) | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      const written = typeof paths === 'function' ? paths() : (paths ?? undefined);
      for (const listener of this.writeListeners) listener(root, written);
    }
  }

  /** One git operation at a time per mirror: worktree add/remove and ref updates take repository-wide locks. */
  private serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(key, next);
    void next.finally(() => this.locks.get(key) === next && this.locks.delete(key)).catch(() => undefined);
    return next;
  }
}

/** A linked worktree's git dir in its repository, from its `.git` file (`gitdir: <path>`). */
async function linkedGitDir(worktree: string): Promise<string | null> {
  const text = await readFile(join(worktree, '.git'), 'utf8').catch(() => '');
  const path = /^gitdir: (.+)$/m.exec(text)?.[1]?.trim();
  return path && isAbsolute(path) ? path : null;
}

function checkAttemptId(attemptId: string): void {
  if (!ATTEMPT_ID.test(attemptId)) throw new Error(`invalid attempt id: ${JSON.stringify(attemptId)}`);
}
