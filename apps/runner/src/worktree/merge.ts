import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitValue, identityEnv, isAncestor, resolveCommit } from './git';
import { syncBranch } from './mirror';

export type MergeStrategy = 'squash' | 'merge';

export interface GitIdentity {
  name: string;
  email: string;
}

export class MergeConflictError extends Error {
  readonly code = 'merge_conflict';
  constructor(
    readonly branch: string,
    readonly baseBranch: string,
    readonly files: string[],
  ) {
    super(`merging ${branch} into ${baseBranch} conflicts in ${files.join(', ')}`);
    this.name = 'MergeConflictError';
  }
}

export interface MergeOptions {
  mirrorDir: string;
  /** Where the temporary checkout of the base branch is made. */
  scratchDir: string;
  branch: string;
  baseBranch: string;
  strategy: MergeStrategy;
  message: string;
  /** Commits are made by this identity (the runner's), so no global git config is needed. */
  committer: GitIdentity;
  /** The author of a squash commit, e.g. the user who approved it; the committer by default. */
  author?: GitIdentity;
}

export interface MergeResult {
  /** The base branch's new tip (its old tip when there was nothing to merge). */
  commit: string;
  previousCommit: string;
  /** False when the base already held every change of the branch. */
  changed: boolean;
}

/**
 * Merges an attempt branch into its base branch inside the mirror. The work happens in a
 * throwaway checkout of the base, and the base ref moves only at the end with a
 * compare-and-swap, so a conflict — or a crash — leaves the repository as it was.
 */
export async function mergeIntoBase(opts: MergeOptions): Promise<MergeResult> {
  const { mirrorDir, branch, baseBranch } = opts;
  await syncBranch(mirrorDir, baseBranch);
  const previousCommit = await resolveCommit(mirrorDir, `refs/heads/${baseBranch}`);
  if (!previousCommit) throw new Error(`base branch ${baseBranch} does not exist`);
  if (!(await resolveCommit(mirrorDir, `refs/heads/${branch}`))) throw new Error(`branch ${branch} does not exist`);

  await mkdir(opts.scratchDir, { recursive: true });
  const checkout = join(opts.scratchDir, `merge-${randomBytes(6).toString('hex')}`);
  await git(['worktree', 'add', '--detach', '--quiet', checkout, previousCommit], { cwd: mirrorDir });
  try {
    const env = { ...identityEnv(opts.committer), ...(opts.author ? { GIT_AUTHOR_NAME: opts.author.name, GIT_AUTHOR_EMAIL: opts.author.email } : {}) };
    const args =
      opts.strategy === 'squash'
        ? ['merge', '--squash', '--no-commit', '--no-verify', branch]
        : ['merge', '--no-ff', '--no-verify', '-m', opts.message, branch];
    const merged = await git(args, { cwd: checkout, env, okCodes: [1] });
    if (merged.exitCode === 1) {
      const conflicted = await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: checkout });
      const files = conflicted.stdout.split('\0').filter(Boolean);
      if (files.length > 0) throw new MergeConflictError(branch, baseBranch, files);
      throw new Error(`git merge failed: ${merged.stderr.trim() || merged.stdout.trim()}`);
    }
    if (opts.strategy === 'squash') {
      const staged = await git(['diff', '--cached', '--quiet'], { cwd: checkout, okCodes: [1] });
      if (staged.exitCode === 0) return { commit: previousCommit, previousCommit, changed: false };
      await git(['commit', '--no-verify', '--quiet', '-m', opts.message], { cwd: checkout, env });
    }
    const commit = await gitValue(['rev-parse', 'HEAD'], { cwd: checkout });
    if (commit === previousCommit) return { commit, previousCommit, changed: false };
    // Fails if someone moved the base meanwhile: their work is never overwritten.
    await git(['update-ref', '-m', `baton: ${opts.strategy} ${branch}`, `refs/heads/${baseBranch}`, commit, previousCommit], { cwd: mirrorDir });
    return { commit, previousCommit, changed: true };
  } finally {
    await git(['worktree', 'remove', '--force', checkout], { cwd: mirrorDir }).catch(() => undefined);
    await rm(checkout, { recursive: true, force: true });
    await git(['worktree', 'prune'], { cwd: mirrorDir }).catch(() => undefined);
  }
}

/**
 * Whether the base already holds everything the branch changed: the branch tip is an
 * ancestor (merge commit, fast-forward), or merging it would not change the base's tree
 * (squash merge, cherry-picks, a PR merged on the forge and fetched as origin/<base>).
 */
export async function isMergedInto(mirrorDir: string, branch: string, baseBranch: string): Promise<boolean> {
  const tip = await resolveCommit(mirrorDir, `refs/heads/${branch}`);
  if (!tip) return false;
  for (const base of [`refs/heads/${baseBranch}`, `refs/remotes/origin/${baseBranch}`]) {
    const baseCommit = await resolveCommit(mirrorDir, base);
    if (!baseCommit) continue;
    if (await isAncestor(mirrorDir, tip, baseCommit)) return true;
    // git ≥ 2.38; on an older git this answers "not merged", which only means "kept".
    const result = await git(['merge-tree', '--write-tree', baseCommit, tip], { cwd: mirrorDir, okCodes: [1] }).catch(() => null);
    if (result?.exitCode !== 0) continue;
    const mergedTree = result.stdout.split('\n')[0].trim();
    if (mergedTree === (await gitValue(['rev-parse', `${baseCommit}^{tree}`], { cwd: mirrorDir }))) return true;
  }
  return false;
}
