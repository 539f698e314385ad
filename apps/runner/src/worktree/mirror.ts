import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repositoryLocationProblem } from '@baton/events';
import { DEFAULT_GIT_TIMEOUTS, git, isAncestor, resolveCommit, type GitTimeouts } from './git';

/**
 * One bare clone per project repository in the runner's data dir. Attempts' worktrees and
 * branches live in it, so the project's own checkout is never touched by an agent; the
 * project's branches arrive as `origin/*` and are fast-forwarded into local branches.
 */
export interface Mirror {
  /** `<slug>-<hash of the location>`: stable per repository, readable in `ls`. */
  key: string;
  dir: string;
  /** Where it was cloned from: an absolute local path or a URL. */
  origin: string;
}

/**
 * Absolute path for a local repository (resolving symlinks), the string itself for a URL.
 * Only locations on the allow-list (libs/events repository-location.ts) get this far: one
 * stored before it existed is refused here, before git sees it.
 */
export async function normalizeRepository(repository: string): Promise<string> {
  const problem = repositoryLocationProblem(repository);
  if (problem) throw new Error(`repository location ${JSON.stringify(repository)} is refused: ${problem}`);
  if (repository.startsWith('file://')) return realpath(fileURLToPath(repository));
  return isAbsolute(repository) ? realpath(repository) : repository;
}

export function mirrorKey(origin: string): string {
  const slug = basename(origin.replace(/\/+$/, '')).replace(/\.git$/, '').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40) || 'repo';
  return `${slug}-${createHash('sha256').update(origin).digest('hex').slice(0, 12)}`;
}

/** Where the repository's mirror lives (whether or not it was cloned yet). */
export async function locateMirror(reposDir: string, repository: string): Promise<Mirror> {
  const origin = await normalizeRepository(repository);
  const key = mirrorKey(origin);
  return { key, dir: join(reposDir, `${key}.git`), origin };
}

export interface NetworkGitOptions {
  /** Aborting kills a clone or fetch in progress (the session that waits for it was stopped). */
  signal?: AbortSignal;
  timeouts?: GitTimeouts;
}

/** Mirrors whose object dirs are all there (see `objectDirsReady`). */
const objectDirsMade = new Set<string>();

/**
 * Makes every loose-object dir (`objects/00` … `objects/ff`) of a mirror now, while nothing runs in
 * it. A root runner shares its mirror with its agents' user (handed over, docs/decisions/0020):
 * a dir the runner's git created later — a fetch, a merge-train build — would be root's until the
 * next hand-over, and an agent committing in between into an object that hashes there fails
 * ("unable to index file … failed to insert into database"). Files the runner adds in a dir the
 * agent owns block nothing. An automatic `git gc` (its prune removes empty object dirs) is off in
 * a mirror for the same reason.
 */
export async function objectDirsReady(mirrorDir: string): Promise<void> {
  if (objectDirsMade.has(mirrorDir)) return;
  await Promise.all(Array.from({ length: 256 }, (_, i) => mkdir(join(mirrorDir, 'objects', i.toString(16).padStart(2, '0')), { recursive: true })));
  if ((await git(['config', '--get', 'gc.auto'], { cwd: mirrorDir, okCodes: [1] })).stdout.trim() !== '0') await git(['config', 'gc.auto', '0'], { cwd: mirrorDir });
  objectDirsMade.add(mirrorDir);
}

/** Clones the repository on first use, fetches it afterwards. */
export async function ensureMirror(reposDir: string, repository: string, opts: NetworkGitOptions = {}): Promise<Mirror> {
  const { key, dir, origin } = await locateMirror(reposDir, repository);
  const { signal, timeouts = DEFAULT_GIT_TIMEOUTS } = opts;
  if (existsSync(join(dir, 'HEAD'))) {
    await objectDirsReady(dir);
    await git(['fetch', '--prune', '--quiet', 'origin'], { cwd: dir, signal, timeoutMs: timeouts.fetchMs });
    return { key, dir, origin };
  }
  await mkdir(reposDir, { recursive: true });
  // Cloned beside and renamed into place: a runner killed mid-clone leaves no half mirror.
  const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    await git(['clone', '--bare', '--quiet', '--', origin, partial], { cwd: reposDir, signal, timeoutMs: timeouts.cloneMs });
    // A bare clone maps the origin's heads onto local heads and never updates them; track
    // them as origin/* instead, so fetching never clobbers attempt branches or local merges.
    await git(['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*'], { cwd: partial });
    await git(['fetch', '--prune', '--quiet', 'origin'], { cwd: partial, signal, timeoutMs: timeouts.fetchMs });
    await objectDirsReady(partial);
    await rename(partial, dir);
    objectDirsMade.add(dir);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    if (existsSync(join(dir, 'HEAD'))) return { key, dir, origin }; // another caller won the race
    throw e;
  }
  return { key, dir, origin };
}

/**
 * Brings the local branch `name` up to `origin/name` when that is a fast-forward. A local
 * branch that has merges of its own (not pushed yet) is left as it is.
 */
export async function syncBranch(mirrorDir: string, name: string): Promise<void> {
  const remote = await resolveCommit(mirrorDir, `refs/remotes/origin/${name}`);
  if (!remote) return;
  const local = await resolveCommit(mirrorDir, `refs/heads/${name}`);
  if (local === remote) return;
  if (!local || (await isAncestor(mirrorDir, local, remote))) {
    await git(['update-ref', `refs/heads/${name}`, remote, ...(local ? [local] : [])], { cwd: mirrorDir });
  }
}

export interface ResolvedBase {
  /** The branch the attempt merges back into; null when the base was a commit or tag. */
  branch: string | null;
  commit: string;
}

/** A base given as a branch (local or origin's) or any commit-ish, resolved in the mirror. */
export async function resolveBase(mirrorDir: string, base: string): Promise<ResolvedBase> {
  if (base.startsWith('-')) throw new Error(`invalid base: ${JSON.stringify(base)}`);
  const name = base.replace(/^refs\/heads\//, '').replace(/^origin\//, '');
  await syncBranch(mirrorDir, name);
  const branchCommit = await resolveCommit(mirrorDir, `refs/heads/${name}`);
  if (branchCommit) return { branch: name, commit: branchCommit };
  const commit = await resolveCommit(mirrorDir, base);
  if (!commit) throw new Error(`base ${JSON.stringify(base)} names no branch or commit in the repository`);
  return { branch: null, commit };
}
