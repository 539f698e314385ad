import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { trainRef, type TrainIntegration } from '@baton/events';
import { DEFAULT_GIT_TIMEOUTS, git, gitValue, identityEnv, isAncestor, resolveCommit } from './git';
import { MergeConflictError, type GitIdentity } from './merge';
import { objectDirsReady, syncBranch } from './mirror';
import { BaseUpdateError, publishBranch } from './publish';

/*
 * The merge train's git steps (docs/decisions/0030), in the runner's mirror of the project's
 * repository. A batch's result is built car by car, each car on the one before; it waits in the project's repository as `refs/baton-train/<batchId>` (any runner can
 * fetch it: the next car's, the check's), and the target moves there only as a fast-forward.
 */

export interface TrainCarInput {
  attemptId: string;
  /** The car's branch, in this mirror (this runner ran its attempt). */
  branch: string;
  /** The commit message of a squash or merge commit. */
  message: string;
  /** Not to be built here, and why (its attempt moved to another runner). */
  refused?: string;
}

export type CarResult =
  | { attemptId: string; outcome: 'built'; commit: string; base: string }
  | { attemptId: string; outcome: 'conflict'; files: string[]; message: string }
  | { attemptId: string; outcome: 'failed'; message: string };

export type Landing = { outcome: 'landed'; commit: string } | { outcome: 'moved'; message: string } | { outcome: 'failed'; message: string };

export interface BuildCarsOptions {
  mirrorDir: string;
  scratchDir: string;
  /** The project's repository (the mirror's origin): where the result waits, and the target lands. */
  repository: string;
  target: string;
  batchId: string;
  cars: TrainCarInput[];
  /** The batch's result so far; null: the target's newest tip. */
  onto: string | null;
  integration: TrainIntegration;
  committer: GitIdentity;
  /** Then move the target to the result, as a fast-forward (no check to run first). */
  land: boolean;
  timeoutMs?: number;
}

/** Brings `refs/heads/<target>` of the mirror to the project's newest; returns that tip. */
export async function fetchTarget(mirrorDir: string, target: string, timeoutMs = DEFAULT_GIT_TIMEOUTS.fetchMs): Promise<string> {
  await git(['fetch', '--quiet', 'origin', `+refs/heads/${target}:refs/remotes/origin/${target}`], { cwd: mirrorDir, timeoutMs });
  await syncBranch(mirrorDir, target);
  const tip = await resolveCommit(mirrorDir, `refs/remotes/origin/${target}`);
  if (!tip) throw new Error(`${target} does not exist in the project's repository`);
  return tip;
}

/** Makes `commit` present in the mirror, fetching `ref` (a batch's) from the project's repository if another runner built it. */
export async function ensureCommit(mirrorDir: string, commit: string, ref: string, timeoutMs = DEFAULT_GIT_TIMEOUTS.fetchMs): Promise<void> {
  if (await hasCommit(mirrorDir, commit)) return;
  await git(['fetch', '--quiet', 'origin', `+${ref}:${ref}`], { cwd: mirrorDir, timeoutMs });
  if (!(await hasCommit(mirrorDir, commit))) throw new Error(`commit ${commit.slice(0, 12)} (${ref}) is not in the project's repository`);
}

async function hasCommit(mirrorDir: string, commit: string): Promise<boolean> {
  const r = await git(['cat-file', '-e', `${commit}^{commit}`], { cwd: mirrorDir, okCodes: [1, 128] });
  return r.exitCode === 0;
}

/**
 * Puts the cars, in order, each on the result so far, in one throwaway checkout: one fetch of the
 * target for the lot. A car that conflicts (its files named) or fails is left out and the next one
 * goes on the last good result. Then either the result waits in the project's repository as the
 * batch's ref (for a check, or another runner's cars), or — `land` — the target moves there.
 */
export async function buildCars(o: BuildCarsOptions): Promise<{ cars: CarResult[]; landing: Landing | null }> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_GIT_TIMEOUTS.fetchMs;
  await objectDirsReady(o.mirrorDir);
  const base = await fetchTarget(o.mirrorDir, o.target, timeoutMs);
  if (o.onto) await ensureCommit(o.mirrorDir, o.onto, trainRef(o.batchId), timeoutMs);
  const onto = o.onto ?? base;
  const env = identityEnv(o.committer);
  const results: CarResult[] = [];
  // Squash and merge are made without a checkout (merge-tree, commit-tree: two git processes a
  // car, none to add and remove a worktree); a rebase replays commits, which needs one.
  let checkout: string | null = null;
  if (o.integration === 'rebase') {
    await mkdir(o.scratchDir, { recursive: true });
    checkout = join(o.scratchDir, `train-${randomBytes(6).toString('hex')}`);
    await git(['worktree', 'add', '--detach', '--quiet', checkout, onto], { cwd: o.mirrorDir });
  }
  let current = onto;
  let currentTree: string | null = null;
  try {
    for (const car of o.cars) {
      if (car.refused) {
        results.push({ attemptId: car.attemptId, outcome: 'failed', message: car.refused });
        continue;
      }
      const tip = await resolveCommit(o.mirrorDir, `refs/heads/${car.branch}`);
      if (!tip) {
        results.push({ attemptId: car.attemptId, outcome: 'failed', message: `branch ${car.branch} is not on this runner` });
        continue;
      }
      const how = { branch: car.branch, target: o.target, integration: o.integration, message: car.message };
      try {
        if (checkout) current = await rebaseOnto(checkout, current, tip, how, env);
        else {
          currentTree ??= await gitValue(['rev-parse', `${current}^{tree}`], { cwd: o.mirrorDir });
          ({ commit: current, tree: currentTree } = await integrateInPlace(o.mirrorDir, { commit: current, tree: currentTree }, tip, how, env));
        }
        results.push({ attemptId: car.attemptId, outcome: 'built', commit: current, base });
      } catch (e) {
        // Back to the last good result for the next car.
        if (checkout) {
          await git(['reset', '--hard', '--quiet'], { cwd: checkout }).catch(() => undefined);
          await git(['checkout', '--quiet', '--detach', current], { cwd: checkout });
        }
        if (e instanceof MergeConflictError) results.push({ attemptId: car.attemptId, outcome: 'conflict', files: e.files.slice(0, 1_000), message: e.message.slice(0, 2_000) });
        else results.push({ attemptId: car.attemptId, outcome: 'failed', message: (e as Error).message.slice(0, 2_000) || 'the build failed' });
      }
    }
    if (!results.some((r) => r.outcome === 'built')) return { cars: results, landing: null };
    if (o.land) return { cars: results, landing: await landOn({ mirrorDir: o.mirrorDir, repository: o.repository, target: o.target, commit: current, base, timeoutMs }) };
    const ref = trainRef(o.batchId);
    await git(['update-ref', ref, current], { cwd: o.mirrorDir });
    // Where the next cars' runner and the check find it.
    await git(['push', '--quiet', '--no-verify', '--force', 'origin', `${current}:${ref}`], { cwd: o.mirrorDir, timeoutMs });
    return { cars: results, landing: null };
  } finally {
    if (checkout) {
      await git(['worktree', 'remove', '--force', checkout], { cwd: o.mirrorDir }).catch(() => undefined);
      await rm(checkout, { recursive: true, force: true });
      await git(['worktree', 'prune'], { cwd: o.mirrorDir }).catch(() => undefined);
    }
  }
}

/** Squash or merge without a checkout: the three-way merge's tree from `merge-tree`, the commit from `commit-tree`. */
async function integrateInPlace(
  mirrorDir: string,
  onto: { commit: string; tree: string },
  tip: string,
  o: { branch: string; target: string; integration: TrainIntegration; message: string },
  env: Record<string, string>,
): Promise<{ commit: string; tree: string }> {
  // A merge commit of a car already in the result would be empty (git merge says "Already up to date").
  if (o.integration === 'merge' && (await isAncestor(mirrorDir, tip, onto.commit))) return onto;
  const r = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', onto.commit, tip], { cwd: mirrorDir, okCodes: [1] });
  const [tree, ...conflicted] = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (r.exitCode === 1) {
    if (conflicted.length) throw new MergeConflictError(o.branch, o.target, [...new Set(conflicted)]);
    throw new Error(`git merge-tree failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  // A squash that changes nothing (the result holds every change of the car already) makes no commit.
  if (o.integration === 'squash' && tree === onto.tree) return onto;
  const parents = o.integration === 'squash' ? ['-p', onto.commit] : ['-p', onto.commit, '-p', tip];
  return { commit: await gitValue(['commit-tree', tree, ...parents, '-m', o.message], { cwd: mirrorDir, env }), tree };
}

/** The car's own commits replayed on the result, one by one, in `checkout` (a detached copy: its branch stays as the agent left it). */
async function rebaseOnto(checkout: string, onto: string, tip: string, o: { branch: string; target: string }, env: Record<string, string>): Promise<string> {
  await git(['checkout', '--quiet', '--detach', tip], { cwd: checkout });
  const r = await git(['rebase', '--no-verify', '--quiet', onto], { cwd: checkout, env, okCodes: [1] });
  if (r.exitCode !== 0) {
    const files = (await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: checkout })).stdout.split('\0').filter(Boolean);
    await git(['rebase', '--abort'], { cwd: checkout }).catch(() => undefined);
    if (files.length) throw new MergeConflictError(o.branch, o.target, files);
    throw new Error(`git rebase failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return gitValue(['rev-parse', 'HEAD'], { cwd: checkout });
}

export interface LandOptions {
  mirrorDir: string;
  /** The project's repository (the mirror's origin). */
  repository: string;
  target: string;
  batchId: string;
  commit: string;
  /** The target's tip the batch was built on. */
  base: string;
  timeoutMs?: number;
}

/**
 * Moves the target to a checked batch's result, only as a fast-forward (`landOn`): if anything else
 * landed meanwhile, nothing changes and the answer says `moved`. Then the batch's ref goes.
 */
export async function landBatch(o: LandOptions): Promise<Landing> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_GIT_TIMEOUTS.fetchMs;
  const ref = trainRef(o.batchId);
  await ensureCommit(o.mirrorDir, o.commit, ref, timeoutMs);
  const tip = await fetchTarget(o.mirrorDir, o.target, timeoutMs);
  if (tip !== o.base && !(await isAncestor(o.mirrorDir, tip, o.commit))) return { outcome: 'moved', message: `${o.target} moved on meanwhile (to ${tip.slice(0, 12)})` };
  const landing = await landOn({ ...o, timeoutMs });
  if (landing.outcome !== 'landed') return landing;
  await git(['push', '--quiet', '--no-verify', 'origin', `:${ref}`], { cwd: o.mirrorDir, timeoutMs }).catch(() => undefined);
  await git(['update-ref', '-d', ref], { cwd: o.mirrorDir }).catch(() => undefined);
  return landing;
}

/**
 * Moves the target to `commit` in the mirror and the project's repository, only as a fast-forward
 * (publishBranch): if anything else landed meanwhile, the push is refused, the mirror goes back,
 * and the answer says `moved`.
 */
async function landOn(o: { mirrorDir: string; repository: string; target: string; commit: string; base: string; timeoutMs: number }): Promise<Landing> {
  // The mirror's target first (a local checkout of the project fast-forwards from it), back if the repository refuses.
  const local = await resolveCommit(o.mirrorDir, `refs/heads/${o.target}`);
  await git(['update-ref', `refs/heads/${o.target}`, o.commit, ...(local ? [local] : [])], { cwd: o.mirrorDir });
  try {
    await publishBranch({ mirrorDir: o.mirrorDir, repository: o.repository, branch: o.target, commit: o.commit, timeoutMs: o.timeoutMs });
    return { outcome: 'landed', commit: o.commit };
  } catch (e) {
    await git(['update-ref', `refs/heads/${o.target}`, local ?? o.base, o.commit], { cwd: o.mirrorDir }).catch(() => undefined);
    const message = (e as Error).message.slice(0, 2_000);
    return e instanceof BaseUpdateError && /moved on meanwhile/.test(e.message) ? { outcome: 'moved', message } : { outcome: 'failed', message };
  }
}

/** A detached checkout of `commit` in `dir` (a check's workspace), fetched by `ref` (its batch's) when this runner lacks it. */
export async function checkoutCommit(o: { mirrorDir: string; dir: string; commit: string; ref: string; timeoutMs?: number }): Promise<void> {
  await ensureCommit(o.mirrorDir, o.commit, o.ref, o.timeoutMs);
  await git(['worktree', 'prune'], { cwd: o.mirrorDir });
  await git(['worktree', 'add', '--detach', '--quiet', o.dir, o.commit], { cwd: o.mirrorDir });
}
