import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LaunchFile, RunnerStart } from '@baton/events';
import { copyFiles, DEFAULT_GIT_TIMEOUTS, type CopyFilesResult, type GitTimeouts, type RootWriteListener, type Worktrees } from '../worktree';
import { git } from '../worktree/git';
import { normalizeRepository } from '../worktree/mirror';
import { writtenWithParents } from './shared-dirs';

export interface PreparedWorkspace {
  kind: 'attempt' | 'project' | 'commit';
  /** `attempt-<id>` or `project-<id>`: names its setup marker. */
  key: string;
  root: string;
  /** Created by this start (a fresh worktree or checkout). */
  created: boolean;
  /** An attempt's worktree: the commit it was created from. */
  baseCommit?: string;
  /** What other sessions of the project work in too (its checkout; the repository's mirror), handed over once per change (shared-dirs.ts). */
  shared?: string[];
}

/** A start that cannot work however often it is tried (bad cwd, unsafe path, setup failed…). */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

/**
 * Where a session runs and what is written for it: the attempt's worktree or the
 * project's checkout (both under the data dir), the session's own directory for its
 * launch files (outside the worktree, so nothing of Baton's lands in the agent's diff),
 * and a marker per workspace saying which setup script already ran there.
 */
export class Workspaces {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** When each project's checkout was last brought up to its branch. */
  private readonly synced = new Map<string, number>();
  private readonly writeListeners: RootWriteListener[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly worktrees: Worktrees,
    private readonly gitTimeouts: GitTimeouts = DEFAULT_GIT_TIMEOUTS,
  ) {}

  /** `signal`: the start was stopped; a clone or fetch still running for it is killed. */
  async prepare(start: RunnerStart, signal?: AbortSignal): Promise<PreparedWorkspace> {
    const ws = start.workspace;
    if (ws.kind === 'commit') {
      // A merge-train check: the batch's result, detached, in a checkout of its own per session.
      const co = await this.worktrees.checkout({ key: `check-${start.sessionId}`, repository: start.repository.location, commit: ws.commit, ref: ws.ref, signal });
      return { kind: 'commit', key: `check-${start.sessionId}`, root: co.dir, created: co.created };
    }
    if (ws.kind === 'attempt') {
      const wt = await this.worktrees.ensure({ attemptId: ws.attemptId, repository: start.repository.location, branch: ws.branch, base: ws.baseBranch, signal });
      return { kind: 'attempt', key: `attempt-${ws.attemptId}`, root: wt.dir, created: !wt.reused, baseCommit: wt.baseCommit, shared: [wt.mirrorDir] };
    }
    return this.serialize(`project-${start.projectId}`, () => this.projectCheckout(start.projectId, start.repository.location, start.repository.defaultBranch, signal));
  }

  /** A merge-train check's checkout goes with its session (it holds no branch: nothing is lost). */
  async release(start: RunnerStart): Promise<void> {
    if (start.workspace.kind !== 'commit') return;
    await this.worktrees.removeCheckout(`check-${start.sessionId}`, start.repository.location);
  }

  /** Copies the template's `copyFiles` from the project's local checkout; a remote repository has none to copy from. */
  async copyFiles(ws: PreparedWorkspace, start: RunnerStart): Promise<CopyFilesResult | null> {
    if (start.copyFiles.length === 0) return null;
    const source = await normalizeRepository(start.repository.location).catch(() => null);
    if (!source || !isAbsolute(source) || resolve(source) === resolve(ws.root)) return null;
    let result: CopyFilesResult | null = null;
    try {
      result = await copyFiles(source, ws.root, start.copyFiles);
      return result;
    } finally {
      // Into a project's checkout, which other sessions share: what was copied and the directories made for it (after a failure: anything).
      if (!result) this.wrote(ws.root);
      else if (result.copied.length) this.wrote(ws.root, result.copied.flatMap((p) => writtenWithParents(ws.root, join(ws.root, p))));
    }
  }

  /** Calls `listener` after each write of the runner's in a shared workspace, a mirror's included (see `RootWriteListener`). */
  onWrite(listener: RootWriteListener): void {
    this.writeListeners.push(listener);
    this.worktrees.onWrite(listener);
  }

  private wrote(root: string, paths?: readonly { path: string; deep: boolean }[]): void {
    for (const listener of this.writeListeners) listener(root, paths);
  }

  sessionDir(sessionId: string): string {
    return join(this.dataDir, 'sessions', sessionId);
  }

  /** Writes the launch files into the session's directory; returns `exportAs` → absolute path. */
  async writeLaunchFiles(sessionId: string, files: readonly LaunchFile[]): Promise<Record<string, string>> {
    const dir = this.sessionDir(sessionId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const exports: Record<string, string> = {};
    for (const file of files) {
      const path = inside(dir, file.path, 'launch file');
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Written beside and renamed: a symlink planted at the path is replaced, never followed.
      const tmp = `${path}.tmp-${process.pid}`;
      await writeFile(tmp, file.content, { mode: file.mode });
      await chmod(tmp, file.mode);
      await rename(tmp, path);
      if (file.exportAs) exports[file.exportAs] = path;
    }
    return exports;
  }

  /** The launch's cwd, relative to the workspace; it must stay inside and exist. */
  async resolveCwd(ws: PreparedWorkspace, cwd: string): Promise<string> {
    const dir = inside(ws.root, cwd || '.', 'cwd');
    const st = await stat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new LaunchError(`working directory ${JSON.stringify(cwd)} does not exist in the workspace`);
    return dir;
  }

  /** Whether this setup script still has to run in the workspace (never ran, failed, or changed). */
  async needsSetup(ws: PreparedWorkspace, script: string): Promise<boolean> {
    const marker = await readFile(this.setupMarker(ws), 'utf8').catch(() => null);
    return marker !== hash(script);
  }

  async setupDone(ws: PreparedWorkspace, script: string): Promise<void> {
    await mkdir(dirname(this.setupMarker(ws)), { recursive: true });
    await writeFile(this.setupMarker(ws), hash(script));
  }

  private setupMarker(ws: PreparedWorkspace): string {
    return join(this.dataDir, 'setup', `${ws.key}.sha256`);
  }

  /**
   * A clone of the project's repository the runner owns. Later starts fast-forward it to the
   * project's branch (at most every 30 s) when that is possible; local work is never overwritten.
   */
  private async projectCheckout(projectId: string, location: string, branch: string, signal?: AbortSignal): Promise<PreparedWorkspace> {
    signal?.throwIfAborted();
    const root = join(this.dataDir, 'projects', projectId);
    const key = `project-${projectId}`;
    if (existsSync(join(root, '.git'))) {
      const last = this.synced.get(projectId) ?? 0;
      if (Date.now() - last > SYNC_EVERY_MS) {
        // Offline, diverged or dirty in the way: run on what is there.
        await git(['fetch', '--quiet', 'origin', branch], { cwd: root, signal, timeoutMs: this.gitTimeouts.fetchMs })
          .then(() => git(['merge', '--ff-only', '--quiet', 'FETCH_HEAD'], { cwd: root }))
          .catch(() => undefined)
          .finally(() => this.wrote(root));
        this.synced.set(projectId, Date.now());
      }
      return { kind: 'project', key, root, created: false, shared: [root] };
    }
    const origin = await normalizeRepository(location);
    await mkdir(dirname(root), { recursive: true });
    const partial = `${root}.partial-${process.pid}-${Date.now()}`;
    try {
      await git(['clone', '--quiet', '--branch', branch, '--', origin, partial], { cwd: dirname(root), signal, timeoutMs: this.gitTimeouts.cloneMs });
      await rm(root, { recursive: true, force: true });
      await rename(partial, root);
    } catch (e) {
      await rm(partial, { recursive: true, force: true });
      throw e;
    } finally {
      this.wrote(root);
    }
    this.synced.set(projectId, Date.now());
    return { kind: 'project', key, root, created: true, shared: [root] };
  }

  private serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(key, next);
    void next.finally(() => this.locks.get(key) === next && this.locks.delete(key)).catch(() => undefined);
    return next;
  }
}

function inside(root: string, path: string, what: string): string {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (isAbsolute(path) || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new LaunchError(`${what} ${JSON.stringify(path)} leaves its directory`);
  return full;
}

const SYNC_EVERY_MS = 30_000;
const hash = (text: string) => createHash('sha256').update(text).digest('hex');
