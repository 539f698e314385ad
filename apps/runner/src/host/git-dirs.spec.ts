import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitIn, makeRepo, removeTemps, tempDir } from '../worktree/__tests__/git-fixtures';
import { knownGitDirs } from './git-dirs';
import { gitDirs } from './sandbox';

describe(knownGitDirs.name, () => {
  afterAll(removeTemps);

  it("finds what git finds, without git, for a clone and for a mirror's linked worktree", async () => {
    const clone = makeRepo();
    expect(await knownGitDirs(clone, [clone])).toEqual(await gitDirs(clone));

    const data = tempDir('baton-gitdirs-');
    const mirror = join(data, 'repos', 'app.git');
    mkdirSync(join(data, 'repos'));
    gitIn(data, 'clone', '--bare', '-q', clone, mirror);
    gitIn(mirror, 'worktree', 'add', '-q', '-b', 'baton/a1', join(data, 'worktrees', 'a1'), 'main');
    const worktree = join(data, 'worktrees', 'a1');
    expect(await knownGitDirs(worktree, [mirror])).toEqual(await gitDirs(worktree));
    expect(await knownGitDirs(worktree, [mirror])).toEqual([join(mirror, 'worktrees', 'a1'), mirror]);
  });

  it('asks git when a dir found lies outside the shared workspaces, or .git is not what the runner made', async () => {
    const clone = makeRepo();
    const elsewhere = makeRepo();
    expect(await knownGitDirs(clone, [elsewhere])).toEqual(await gitDirs(clone));

    // A .git file pointing elsewhere: whatever git says, never the shortcut.
    const planted = tempDir('baton-planted-');
    writeFileSync(join(planted, '.git'), `gitdir: ${join(elsewhere, '.git')}\n`);
    expect(await knownGitDirs(planted, [planted])).toEqual(await gitDirs(planted));

    const linked = tempDir('baton-linked-');
    rmSync(linked, { recursive: true });
    mkdirSync(linked);
    symlinkSync(join(elsewhere, '.git'), join(linked, '.git'));
    expect(await knownGitDirs(linked, [linked])).toEqual(await gitDirs(linked));
  });
});
