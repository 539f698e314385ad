import { lstat, readFile, realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gitDirs } from './sandbox';

/**
 * `gitDirs` without a git process, for the two layouts the runner makes itself in its shared
 * workspaces: a clone's `.git` directory, and a worktree linked to a mirror (its `.git` file names
 * its dir in `<mirror>/worktrees/`, whose `commondir` is the mirror). Only when every dir found
 * lies in `shared`; anything else (a `.git` an agent replaced, a symlink) is asked of git, which
 * keeps only what lies in `shared` too. A burst of 100 starts forks 100 processes less on a machine it already saturates.
 */
export async function knownGitDirs(worktree: string, shared: readonly string[]): Promise<string[]> {
  const roots = (await Promise.all(shared.map((d) => realpath(d).catch(() => null)))).filter((r) => r !== null);
  const inside = (p: string) => roots.some((r) => p === r || p.startsWith(`${r}/`));
  try {
    const dotGit = join(await realpath(worktree), '.git');
    const st = await lstat(dotGit);
    if (st.isDirectory() && inside(dotGit)) return [dotGit];
    if (st.isFile()) {
      const named = /^gitdir: (.+)$/m.exec(await readFile(dotGit, 'utf8'))?.[1]?.trim();
      if (named) {
        const dir = await realpath(resolve(dirname(dotGit), named));
        const common = await realpath(resolve(dir, (await readFile(join(dir, 'commondir'), 'utf8')).trim()));
        if (inside(dir) && inside(common) && dir.startsWith(`${common}/worktrees/`)) return [dir, common];
      }
    }
  } catch {
    // asked of git below
  }
  return gitDirs(worktree, shared);
}
