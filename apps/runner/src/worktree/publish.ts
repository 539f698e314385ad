import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { DEFAULT_GIT_TIMEOUTS, git, GitError, gitValue, isAncestor, resolveCommit } from './git';

/** The project's repository did not take the merged base: nothing there changed. */
export class BaseUpdateError extends Error {
  readonly code = 'base_update_refused';
  constructor(
    message: string,
    readonly repository: string,
    readonly branch: string,
  ) {
    super(message);
    this.name = 'BaseUpdateError';
  }
}

export interface PublishOptions {
  /** The runner's mirror, whose `refs/heads/<branch>` is at `commit` already. */
  mirrorDir: string;
  /** The project's repository: an absolute local path or a URL (the mirror's origin). */
  repository: string;
  branch: string;
  commit: string;
  /** How long the push may take. */
  timeoutMs?: number;
}

export type PublishResult = 'pushed' | 'fast_forwarded' | 'up_to_date';

/**
 * Moves the project repository's `branch` to `commit`, only ever as a fast-forward, the way
 * a person would: a push for a URL, a bare repository or a branch nobody has checked out;
 * for a local checkout that has the branch checked out, a fetch from the mirror and
 * `git merge --ff-only` in that checkout — refused (with the reason, changing nothing) when
 * its tracked files have uncommitted changes or its branch moved elsewhere meanwhile.
 * The base branch lives there for everyone else: other runners branch from it.
 */
export async function publishBranch(opts: PublishOptions): Promise<PublishResult> {
  const { repository, branch, commit } = opts;
  const refuse = (why: string) => new BaseUpdateError(`could not update ${branch} in ${repository}: ${why}`, repository, branch);
  if (isAbsolute(repository)) {
    if (!existsSync(repository)) throw refuse('the repository is not there any more');
    const bare = (await gitValue(['rev-parse', '--is-bare-repository'], { cwd: repository }).catch(() => 'false')) === 'true';
    const checkout = bare ? null : await checkoutOf(repository, branch);
    if (checkout) return fastForwardCheckout(opts, checkout, refuse);
  }
  try {
    await git(['push', '--quiet', '--no-verify', 'origin', `${commit}:refs/heads/${branch}`], { cwd: opts.mirrorDir, timeoutMs: opts.timeoutMs ?? DEFAULT_GIT_TIMEOUTS.fetchMs });
  } catch (e) {
    const detail = e instanceof GitError ? e.stderr.trim() || e.message : (e as Error).message;
    throw refuse(/non-fast-forward|fetch first|rejected/.test(detail) ? `${branch} there moved on meanwhile; merge again (${detail.split('\n')[0]})` : detail);
  }
  // The mirror's idea of the origin follows, so the next sync sees the branch where it is.
  await git(['update-ref', `refs/remotes/origin/${branch}`, commit], { cwd: opts.mirrorDir }).catch(() => undefined);
  return 'pushed';
}

/** The working tree (main or linked) of a non-bare repository that has `branch` checked out. */
async function checkoutOf(repository: string, branch: string): Promise<string | null> {
  const list = await gitValue(['worktree', 'list', '--porcelain'], { cwd: repository });
  for (const block of list.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice('worktree '.length);
    if (path && lines.includes(`branch refs/heads/${branch}`) && !lines.includes('bare')) return path;
  }
  return null;
}

/*
 * A root runner's mirror belongs to its agents' user, and a local fetch reads it through a
 * `git upload-pack` that git starts without our `-c` settings (it clears them for local
 * transports): that one is told itself that the mirror is safe. Quoted: it runs through sh.
 */
const FROM_OWN_MIRROR = ['--upload-pack', "git -c 'safe.directory=*' upload-pack"];

async function fastForwardCheckout(opts: PublishOptions, checkout: string, refuse: (why: string) => BaseUpdateError): Promise<PublishResult> {
  const { branch, commit } = opts;
  const head = await resolveCommit(checkout, 'HEAD');
  if (head === commit) return 'up_to_date';
  const dirty = (await git(['status', '--porcelain=v1', '-z', '--untracked-files=no'], { cwd: checkout })).stdout.split('\0').filter(Boolean);
  if (dirty.length > 0) {
    const files = dirty.slice(0, 10).map((l) => l.slice(3));
    throw refuse(`it is checked out in ${checkout} with uncommitted changes (${files.join(', ')}${dirty.length > 10 ? ', …' : ''}); commit or stash them, then merge again`);
  }
  await git(['fetch', '--quiet', '--no-tags', ...FROM_OWN_MIRROR, opts.mirrorDir, `refs/heads/${branch}`], { cwd: checkout });
  if (head && !(await isAncestor(checkout, head, commit))) {
    throw refuse(`${branch} there moved on meanwhile (to ${head.slice(0, 12)}), so the merge is not a fast-forward of it; merge again`);
  }
  const merged = await git(['merge', '--ff-only', '--quiet', commit], { cwd: checkout, okCodes: [1, 128] });
  if (merged.exitCode !== 0) throw refuse(`git merge --ff-only in ${checkout} failed: ${(merged.stderr || merged.stdout).trim()}`);
  await git(['update-ref', `refs/remotes/origin/${branch}`, commit], { cwd: opts.mirrorDir }).catch(() => undefined);
  return 'fast_forwarded';
}
