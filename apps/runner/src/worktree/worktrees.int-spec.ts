import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { commit, gitIn, makeRepo, removeTemps, tempDir } from './__tests__/git-fixtures';
import { MergeConflictError } from './merge';
import { BaseUpdateError } from './publish';
import { Worktrees } from './worktrees';

describe(Worktrees.name, () => {
  let project: string;
  let dataDir: string;
  let clock: Date;
  let sut: Worktrees;
  const open = (repository = project, branch = `baton/${ulid().toLowerCase()}`, base = 'main') =>
    sut.ensure({ attemptId: ulid(), repository, branch, base });

  beforeEach(() => {
    project = makeRepo({ 'README.md': '# demo\n', 'src/app.ts': 'export const a = 1;\nexport const b = 2;\n', '.gitignore': '.env\n' });
    writeFileSync(join(project, '.env'), 'SECRET=1\n');
    dataDir = tempDir('baton-runner-data-');
    clock = new Date('2026-03-01T12:00:00Z');
    sut = new Worktrees({ dataDir, now: () => clock });
  });
  afterAll(removeTemps);

  it('creates a worktree on a new branch from the base and records the base commit', async () => {
    const wt = await open(project, 'baton/first');
    expect(wt).toMatchObject({ branch: 'baton/first', baseBranch: 'main', baseCommit: gitIn(project, 'rev-parse', 'main'), reused: false });
    expect(gitIn(wt.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('baton/first');
    expect(readFileSync(join(wt.dir, 'src/app.ts'), 'utf8')).toContain('export const a');
    // The project's own checkout is untouched: no new branch, no worktree of its own.
    expect(gitIn(project, 'branch', '--list', 'baton/*')).toBe('');
    expect(await sut.get(wt.attemptId)).toMatchObject({ dir: wt.dir, branch: 'baton/first' });
  });

  it('reuses the worktree of the same attempt, and recreates a deleted directory from its branch', async () => {
    const wt = await open();
    commit(wt.dir, { 'work.txt': 'kept\n' }, 'work in progress');
    clock = new Date('2026-03-02T12:00:00Z');
    const again = await sut.ensure({ attemptId: wt.attemptId, repository: project, branch: wt.branch, base: 'main' });
    expect(again).toMatchObject({ dir: wt.dir, reused: true, lastUsedAt: clock.toISOString(), baseCommit: wt.baseCommit });

    rmSync(wt.dir, { recursive: true, force: true });
    const recreated = await sut.ensure({ attemptId: wt.attemptId, repository: project, branch: wt.branch, base: 'main' });
    expect(recreated.reused).toBe(false);
    expect(readFileSync(join(wt.dir, 'work.txt'), 'utf8')).toBe('kept\n');
    await expect(sut.ensure({ attemptId: wt.attemptId, repository: project, branch: 'other', base: 'main' })).rejects.toThrow(/already has branch/);
  });

  it('starts from the newest base: commits made in the project since the mirror was cloned', async () => {
    await open();
    const newer = commit(project, { 'later.txt': 'x\n' }, 'later on main');
    expect((await open()).baseCommit).toBe(newer);
  });

  it('a burst of starts shares fetches of the mirror, yet each starts from the base as it was when it asked', async () => {
    await open();
    const one = commit(project, { 'one.txt': '1\n' }, 'one');
    const burst = await Promise.all(Array.from({ length: 8 }, () => open()));
    expect(new Set(burst.map((w) => w.baseCommit))).toEqual(new Set([one]));

    // Asked while others wait for the mirror: it still sees what was committed before it asked.
    const earlier = open();
    const two = commit(project, { 'two.txt': '2\n' }, 'two');
    const later = open();
    expect((await later).baseCommit).toBe(two);
    expect([one, two]).toContain((await earlier).baseCommit);
  });

  it('refuses branch names and bases that could be read as options or are not refs', async () => {
    await expect(open(project, '--upload-pack=touch /tmp/x')).rejects.toThrow(/invalid branch name/);
    await expect(open(project, 'bad..name')).rejects.toThrow(/invalid branch name/);
    await expect(open(project, 'ok', 'no-such-base')).rejects.toThrow(/names no branch or commit/);
    await expect(sut.ensure({ attemptId: '../escape', repository: project, branch: 'x', base: 'main' })).rejects.toThrow(/invalid attempt id/);
  });

  it('diffs the attempt against its base: files with status and hunks', async () => {
    const wt = await open();
    writeFileSync(join(wt.dir, 'src/app.ts'), 'export const a = 1;\nexport const b = 3;\nexport const c = 4;\n');
    gitIn(wt.dir, 'mv', 'README.md', 'READ ME.md');
    commit(wt.dir, { 'new file.txt': 'hello\n' }, 'agent work');

    const files = await sut.diff(wt.attemptId);
    expect(files.map((f) => [f.status, f.path, f.oldPath])).toEqual([
      ['renamed', 'READ ME.md', 'README.md'],
      ['added', 'new file.txt', null],
      ['modified', 'src/app.ts', null],
    ]);
    const app = files.find((f) => f.path === 'src/app.ts')!;
    expect(app).toMatchObject({ additions: 2, deletions: 1 });
    expect(app.hunks).toHaveLength(1);
    expect(app.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 2, newStart: 1, newLines: 3 });
    expect(app.hunks[0].lines).toEqual([
      { kind: 'context', text: 'export const a = 1;', oldLine: 1, newLine: 1 },
      { kind: 'del', text: 'export const b = 2;', oldLine: 2 },
      { kind: 'add', text: 'export const b = 3;', newLine: 2 },
      { kind: 'add', text: 'export const c = 4;', newLine: 3 },
    ]);
  });

  it('lists binary files, type changes and deletions in the diff', async () => {
    const wt = await open();
    rmSync(join(wt.dir, 'README.md'));
    symlinkSync('src/app.ts', join(wt.dir, 'README.md'));
    writeFileSync(join(wt.dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    rmSync(join(wt.dir, '.gitignore'));
    commit(wt.dir, {}, 'mixed');
    const files = await sut.diff(wt.attemptId);
    expect(files.map((f) => [f.status, f.path, f.binary])).toEqual([
      ['deleted', '.gitignore', false],
      ['type_changed', 'README.md', false],
      ['added', 'logo.png', true],
    ]);
    expect(files[1].hunks.flatMap((h) => h.lines.map((l) => l.kind + ':' + l.text))).toEqual(['del:# demo', 'add:src/app.ts']);
  });

  it('shows uncommitted and untracked work when asked, and only then', async () => {
    const wt = await open();
    writeFileSync(join(wt.dir, 'README.md'), '# changed\n');
    writeFileSync(join(wt.dir, 'scratch.txt'), 'draft\n');
    expect(await sut.diff(wt.attemptId)).toEqual([]);
    const files = await sut.diff(wt.attemptId, { uncommitted: true });
    expect(files.map((f) => [f.status, f.path])).toEqual([
      ['modified', 'README.md'],
      ['added', 'scratch.txt'],
    ]);
    expect(files[1].hunks[0].lines).toEqual([{ kind: 'add', text: 'draft', newLine: 1 }]);
    expect(await sut.uncommittedChanges(wt.attemptId)).toEqual(['README.md', 'scratch.txt']);
  });

  it('squash-merges the attempt into its base branch as one commit', async () => {
    const wt = await open();
    commit(wt.dir, { 'feature.txt': 'one\n' }, 'wip 1');
    commit(wt.dir, { 'feature.txt': 'one\ntwo\n' }, 'wip 2');
    const result = await sut.merge(wt.attemptId, { strategy: 'squash', message: 'Add feature', author: { name: 'Ada', email: 'ada@example.com' } });

    expect(result.changed).toBe(true);
    expect(result.previousCommit).toBe(wt.baseCommit);
    const log = gitIn(wt.mirrorDir, 'log', '--format=%s|%an|%cn|%P', 'main');
    expect(log.split('\n')[0]).toBe(`Add feature|Ada|Baton|${wt.baseCommit}`); // one parent: a squash
    expect(gitIn(wt.mirrorDir, 'show', 'main:feature.txt')).toBe('one\ntwo');
    expect(await sut.isMerged(wt.attemptId)).toBe(true); // by content: the branch tip is not an ancestor
    expect((await sut.get(wt.attemptId))!.merged).toMatchObject({ commit: result.commit, strategy: 'squash' });
    expect(gitIn(wt.mirrorDir, 'worktree', 'list', '--porcelain')).not.toContain('merge-');
  });

  it('merges with a merge commit when asked, and reports nothing to do the second time', async () => {
    const wt = await open();
    commit(wt.dir, { 'feature.txt': 'merged\n' }, 'feature');
    const first = await sut.merge(wt.attemptId, { strategy: 'merge', message: 'Merge attempt' });
    expect(gitIn(wt.mirrorDir, 'log', '-1', '--format=%P|%s', 'main')).toBe(`${wt.baseCommit} ${gitIn(wt.dir, 'rev-parse', 'HEAD')}|Merge attempt`);
    const second = await sut.merge(wt.attemptId, { strategy: 'squash', message: 'again' });
    expect(second).toEqual({ commit: first.commit, previousCommit: first.commit, changed: false });
  });

  it('reports the conflicting files and leaves the repository as it was', async () => {
    const wt = await open();
    commit(wt.dir, { 'src/app.ts': 'export const a = "attempt";\nexport const b = 2;\n', 'free.txt': 'no conflict\n' }, 'attempt edit');
    commit(project, { 'src/app.ts': 'export const a = "main";\nexport const b = 2;\n' }, 'main edit');
    await open(); // fetches the project's new main into the mirror
    const baseBefore = gitIn(wt.mirrorDir, 'rev-parse', 'main');

    const error = await sut.merge(wt.attemptId, { strategy: 'squash', message: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MergeConflictError);
    expect((error as MergeConflictError).files).toEqual(['src/app.ts']);
    expect(gitIn(wt.mirrorDir, 'rev-parse', 'main')).toBe(baseBefore);
    expect(gitIn(wt.mirrorDir, 'worktree', 'list', '--porcelain')).not.toContain('merge-');
    expect(gitIn(wt.dir, 'status', '--porcelain')).toBe('');
    await expect(sut.merge(wt.attemptId, { strategy: 'merge', message: 'x' })).rejects.toBeInstanceOf(MergeConflictError);
    expect(await sut.isMerged(wt.attemptId)).toBe(false);
  });

  it('pushes the merged base to a bare project repository', async () => {
    const bare = tempDir('baton-bare-');
    gitIn(bare, 'clone', '-q', '--bare', project, '.');
    const wt = await open(`file://${bare}`);
    commit(wt.dir, { 'pushed.txt': 'yes\n' }, 'work');
    const merged = await sut.merge(wt.attemptId, { strategy: 'squash', message: 'Pushed work' });
    await sut.pushBase(wt.attemptId);
    expect(gitIn(bare, 'rev-parse', 'main')).toBe(merged.commit);
  });

  it("fast-forwards the project's own checkout when it has the base branch checked out and clean; refuses a dirty one and changes nothing", async () => {
    const wt = await open();
    commit(wt.dir, { 'landed.txt': 'yes\n' }, 'work');
    const merged = await sut.merge(wt.attemptId, { strategy: 'squash', message: 'Landed' });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(merged.commit);
    expect(readFileSync(join(project, 'landed.txt'), 'utf8')).toBe('yes\n');
    expect(gitIn(project, 'status', '--porcelain', '--untracked-files=no')).toBe('');

    const next = await open();
    commit(next.dir, { 'second.txt': 'two\n' }, 'more work');
    writeFileSync(join(project, 'README.md'), '# edited by hand\n');
    const error = await sut.merge(next.attemptId, { strategy: 'squash', message: 'Second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseUpdateError);
    expect((error as Error).message).toMatch(/uncommitted changes \(README\.md\)/);
    expect(gitIn(project, 'rev-parse', 'main')).toBe(merged.commit);
    expect(gitIn(next.mirrorDir, 'rev-parse', 'main')).toBe(merged.commit);
    expect(await sut.isMerged(next.attemptId)).toBe(false);
    gitIn(project, 'checkout', '--', 'README.md');
    const second = await sut.merge(next.attemptId, { strategy: 'squash', message: 'Second' });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(second.commit);
  });

  it('pushes to a branch the project checkout does not have checked out, and a later attempt elsewhere starts from it', async () => {
    gitIn(project, 'checkout', '-q', '-b', 'other');
    const wt = await open();
    commit(wt.dir, { 'pushed.txt': 'yes\n' }, 'work');
    const merged = await sut.merge(wt.attemptId, { strategy: 'merge', message: 'Merge work' });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(merged.commit);
    const elsewhere = new Worktrees({ dataDir: tempDir('baton-runner-other-') });
    expect((await elsewhere.ensure({ attemptId: ulid(), repository: project, branch: 'baton/next', base: 'main' })).baseCommit).toBe(merged.commit);
  });

  it('copies gitignored files from the project checkout and refuses paths out of it', async () => {
    const wt = await open();
    expect(await sut.copyFiles(wt.attemptId, ['.env', '.env.local'])).toEqual({ copied: ['.env'], missing: ['.env.local'], skipped: [] });
    expect(readFileSync(join(wt.dir, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(gitIn(wt.dir, 'status', '--porcelain')).toBe(''); // ignored, so no agent commits it by accident
    await expect(sut.copyFiles(wt.attemptId, ['../outside'])).rejects.toThrow(/leaves the repository/);
  });

  it('measures the disk a worktree uses', async () => {
    const wt = await open();
    const before = await sut.diskUsage(wt.attemptId);
    expect(before).toBeGreaterThan(0);
    writeFileSync(join(wt.dir, 'big.bin'), Buffer.alloc(1024 * 1024, 1));
    expect((await sut.diskUsage(wt.attemptId)) - before).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it('cleans up old merged worktrees only, and reports the old ones holding work', async () => {
    const merged = await open();
    commit(merged.dir, { 'm.txt': 'm\n' }, 'merged work');
    await sut.merge(merged.attemptId, { strategy: 'squash', message: 'merged' });
    const unmerged = await open();
    commit(unmerged.dir, { 'u.txt': 'u\n' }, 'unmerged work');
    const dirty = await open(); // nothing committed, but a file nobody saved in git
    writeFileSync(join(dirty.dir, 'notes.txt'), 'unsaved\n');
    const running = await open();

    clock = new Date('2026-03-20T12:00:00Z');
    const recent = await open(); // created now: too young to be considered
    const report = await sut.cleanup({ olderThanDays: 14, isActive: (id) => id === running.attemptId });

    expect(report.removed.map((r) => r.attemptId)).toEqual([merged.attemptId]);
    expect(Object.fromEntries(report.kept.map((k) => [k.record.attemptId, k.reason]))).toEqual({
      [unmerged.attemptId]: 'unmerged',
      [dirty.attemptId]: 'uncommitted_changes',
      [running.attemptId]: 'active',
    });
    expect(existsSync(merged.dir)).toBe(false);
    expect(gitIn(merged.mirrorDir, 'branch', '--list', merged.branch)).toBe('');
    expect(await sut.get(merged.attemptId)).toBeNull();
    for (const kept of [unmerged, dirty, running, recent]) expect(existsSync(kept.dir)).toBe(true);
    expect(readFileSync(join(unmerged.dir, 'u.txt'), 'utf8')).toBe('u\n');
  });

  it('counts a branch merged on the project side (fetched as origin/main) as merged', async () => {
    const wt = await open();
    commit(wt.dir, { 'upstream.txt': 'pr\n' }, 'pr work');
    // The project merges the same change by itself (a PR merged on the forge, squashed).
    commit(project, { 'upstream.txt': 'pr\n' }, 'Squashed PR');
    expect(await sut.isMerged(wt.attemptId)).toBe(false);
    await open(); // fetch
    expect(await sut.isMerged(wt.attemptId)).toBe(true);
  });
});
