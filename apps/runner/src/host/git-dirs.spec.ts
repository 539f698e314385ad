import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitIn, makeRepo, removeTemps, tempDir } from '../worktree/__tests__/git-fixtures';
import { knownGitDirs } from './git-dirs';
import { gitDirs } from './sandbox';

describe(knownGitDirs.name, () => {
  afterAll(removeTemps);

  it("finds what git finds, without git, for a clone and for a mirror's linked worktree", async () => {
    const clone = makeRepo();
    expect(await knownGitDirs(clone, [clone])).toEqual(await gitDirs(clone, [clone]));

    const data = tempDir('baton-gitdirs-');
    const mirror = join(data, 'repos', 'app.git');
    mkdirSync(join(data, 'repos'));
    gitIn(data, 'clone', '--bare', '-q', clone, mirror);
    gitIn(mirror, 'worktree', 'add', '-q', '-b', 'baton/a1', join(data, 'worktrees', 'a1'), 'main');
    const worktree = join(data, 'worktrees', 'a1');
    expect(await knownGitDirs(worktree, [mirror])).toEqual(await gitDirs(worktree, [mirror]));
    expect(await knownGitDirs(worktree, [mirror])).toEqual([join(mirror, 'worktrees', 'a1'), mirror]);
  });

  it('never names a dir outside the shared workspaces, whatever .git says: a planted .git file or a symlink', async () => {
    const clone = makeRepo();
    const elsewhere = makeRepo();
    expect(await knownGitDirs(clone, [elsewhere])).toEqual([]);
    expect(await gitDirs(clone, [clone])).toEqual([join(clone, '.git')]);

    // A .git file an agent planted, naming a repository of the runner's: git follows it; we drop it.
    const planted = tempDir('baton-planted-');
    writeFileSync(join(planted, '.git'), `gitdir: ${join(elsewhere, '.git')}\n`);
    expect(await knownGitDirs(planted, [planted])).toEqual([]);
    expect(await gitDirs(planted, [planted])).toEqual([]);
    // The same, inside what is shared, is kept.
    expect(await gitDirs(planted, [planted, elsewhere])).toEqual([join(elsewhere, '.git')]);

    const linked = tempDir('baton-linked-');
    rmSync(linked, { recursive: true });
    mkdirSync(linked);
    symlinkSync(join(elsewhere, '.git'), join(linked, '.git'));
    expect(await knownGitDirs(linked, [linked])).toEqual([]);
  });
});
