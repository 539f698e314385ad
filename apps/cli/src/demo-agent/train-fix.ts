import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git';
import type { AgentRun } from './work-item';

/**
 * The merge train sent this attempt back with a conflict (docs/decisions/0030): its follow-up
 * says "run `git merge <target>`". The demo agent does what a model would: merges the target
 * into its branch, resolves each conflict by keeping both sides (its own lines first), and
 * commits. Null when the prompt asks for no such merge.
 */
export function trainMergeTarget(prompt: string): string | null {
  const m = /run `git merge ([A-Za-z0-9._/-]+)`/.exec(prompt);
  return m ? m[1] : null;
}

/** Keeps both sides of every conflict hunk in `text`: ours, then theirs, without the markers. */
export function keepBothSides(text: string): string {
  return text.replace(/^<{7}[^\n]*\n([\s\S]*?)^(?:\|{7}[^\n]*\n[\s\S]*?)?={7}\n([\s\S]*?)^>{7}[^\n]*\n/gm, (_all, ours: string, theirs: string) => `${ours}${theirs}`);
}

export async function resolveTrainConflict(run: AgentRun, target: string): Promise<{ files: string[]; commit: string | null }> {
  const { cwd, env, log } = run;
  log.info(`the merge train sent this branch back: merging ${target} into it`);
  const merged = await git(['merge', '--no-edit', '--no-verify', target], cwd, env).then(
    () => true,
    () => false,
  );
  if (merged) {
    log.ok(`${target} merged without a conflict`);
    return { files: [], commit: (await git(['rev-parse', 'HEAD'], cwd, env)).stdout.trim() };
  }
  const files = (await git(['diff', '--name-only', '--diff-filter=U', '-z'], cwd, env)).stdout.split('\0').filter(Boolean);
  if (!files.length) throw new Error(`git merge ${target} failed without conflicted files`);
  for (const f of files) {
    const path = join(cwd, f);
    writeFileSync(path, keepBothSides(readFileSync(path, 'utf8')));
    log.info(`resolved ${f}: kept both sides`);
  }
  await git(['add', '--', ...files], cwd, env);
  await git(['commit', '--no-edit', '--no-verify', '--quiet'], cwd, env);
  const commit = (await git(['rev-parse', 'HEAD'], cwd, env)).stdout.trim();
  log.ok(`merged ${target}, resolved ${files.length} conflict${files.length === 1 ? '' : 's'}: ${commit.slice(0, 10)}`);
  return { files, commit };
}
