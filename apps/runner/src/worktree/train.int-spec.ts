import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { trainRef } from '@baton/events';
import { commit, gitIn, makeRepo, removeTemps, tempDir } from './__tests__/git-fixtures';
import { MergeConflictError } from './merge';
import type { TrainIntegration } from '@baton/events';
import { buildCars, checkoutCommit, landBatch } from './train';
import { Worktrees } from './worktrees';

/** The merge train's git steps against real repositories: two runners (two data dirs) and the project's repository. */
describe('merge train git steps', () => {
  let project: string;
  const committer = { name: 'Baton', email: 'baton@localhost' };

  beforeEach(() => {
    project = makeRepo({ 'README.md': '# demo\n', 'shared.txt': 'one\ntwo\nthree\n' });
  });
  afterAll(removeTemps);

  /** A runner with an attempt that changed `files` on its own branch. */
  async function attemptOn(runner: Worktrees, files: Record<string, string>) {
    const wt = await runner.ensure({ attemptId: ulid(), repository: project, branch: `baton/${ulid().toLowerCase()}`, base: 'main' });
    commit(wt.dir, files, `work on ${Object.keys(files).join(', ')}`);
    return wt;
  }
  const runner = () => new Worktrees({ dataDir: tempDir('baton-train-runner-') });
  const scratch = () => tempDir('baton-train-scratch-');
  /** One car in a step of its own; its result, or the conflict thrown as the runner's git step would. */
  async function build(wt: { attemptId: string; mirrorDir: string; branch: string; repository: string }, batchId: string, onto: string | null, integration: TrainIntegration = 'squash') {
    const { cars } = await buildCars({ mirrorDir: wt.mirrorDir, scratchDir: scratch(), repository: wt.repository, target: 'main', batchId, cars: [{ attemptId: wt.attemptId, branch: wt.branch, message: `land ${wt.branch}` }], onto, integration, committer, land: false });
    const [r] = cars;
    if (r.outcome === 'conflict') throw new MergeConflictError(wt.branch, 'main', r.files);
    if (r.outcome === 'failed') throw new Error(r.message);
    return { commit: r.commit, base: r.base };
  }

  it('builds cars of two runners one on the other, publishes the result as the batch ref, and lands it as a fast-forward', async () => {
    const [r1, r2] = [runner(), runner()];
    const a = await attemptOn(r1, { 'a.txt': 'a\n' });
    const b = await attemptOn(r2, { 'b.txt': 'b\n' });
    const before = gitIn(project, 'rev-parse', 'main');
    const batchId = `b${ulid()}`;

    const first = await build(a, batchId, null);
    expect(first).toMatchObject({ base: before });
    expect(gitIn(project, 'rev-parse', trainRef(batchId))).toBe(first.commit);
    // r2 never saw a's work: it fetches the batch's result by its ref.
    const second = await build(b, batchId, first.commit);
    expect(gitIn(project, 'rev-parse', `${second.commit}~1`)).toBe(first.commit);
    expect(gitIn(project, 'rev-parse', 'main')).toBe(before);

    expect(await landBatch({ mirrorDir: b.mirrorDir, repository: project, target: 'main', batchId, commit: second.commit, base: first.base })).toEqual({ outcome: 'landed', commit: second.commit });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(second.commit);
    // The project's checkout has main checked out: its files followed.
    expect(readFileSync(join(project, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(project, 'b.txt'), 'utf8')).toBe('b\n');
    expect(gitIn(project, 'for-each-ref', 'refs/baton-train')).toBe('');
  });

  it('names the conflicting files and leaves the target and the car branch as they were', async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'shared.txt': 'one\nTWO (a)\nthree\n' });
    const b = await attemptOn(r1, { 'shared.txt': 'one\nTWO (b)\nthree\n' });
    const batchId = `b${ulid()}`;
    const first = await build(a, batchId, null);
    const bTip = gitIn(b.dir, 'rev-parse', 'HEAD');
    for (const integration of ['squash', 'rebase', 'merge'] as const) {
      const err = await build(b, batchId, first.commit, integration).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MergeConflictError);
      expect((err as MergeConflictError).files).toEqual(['shared.txt']);
    }
    expect(gitIn(b.dir, 'rev-parse', 'HEAD')).toBe(bTip);
    expect(gitIn(b.dir, 'status', '--porcelain')).toBe('');
  });

  it('rebase replays the car\'s own commits; merge makes a merge commit; both leave the car branch untouched', async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'a.txt': 'a\n' });
    commit(a.dir, { 'a2.txt': 'a2\n' }, 'second commit');
    const landedElsewhere = commit(project, { 'other.txt': 'x\n' }, 'someone landed');
    const rebased = await build(a, `b${ulid()}`, null, 'rebase');
    expect(gitIn(project, 'rev-list', '--count', `${landedElsewhere}..${rebased.commit}`)).toBe('2');
    expect(gitIn(project, 'log', '-1', '--format=%s', rebased.commit)).toBe('second commit');
    const merged = await build(a, `b${ulid()}`, null, 'merge');
    expect(gitIn(project, 'rev-list', '--parents', '-1', merged.commit).split(' ')).toHaveLength(3);
    expect(gitIn(a.dir, 'log', '-1', '--format=%s')).toBe('second commit');
  });

  it('refuses to land when the target moved since the batch was built: nothing changes', async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'a.txt': 'a\n' });
    const batchId = `b${ulid()}`;
    const built = await build(a, batchId, null);
    const moved = commit(project, { 'late.txt': 'late\n' }, 'landed by hand meanwhile');
    expect(await landBatch({ mirrorDir: a.mirrorDir, repository: project, target: 'main', batchId, commit: built.commit, base: built.base })).toMatchObject({ outcome: 'moved' });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(moved);
    // Built again on the new tip, it lands.
    const again = await build(a, `b${ulid()}`, null);
    expect(again.base).toBe(moved);
  });

  it('checks a batch result out detached on a runner that never had it (the check\'s workspace)', async () => {
    const [r1, r2] = [runner(), runner()];
    const a = await attemptOn(r1, { 'a.txt': 'checked\n' });
    const batchId = `b${ulid()}`;
    const built = await build(a, batchId, null);
    const other = await attemptOn(r2, { 'z.txt': 'z\n' });
    const dir = join(tempDir('baton-train-check-'), 'co');
    await checkoutCommit({ mirrorDir: other.mirrorDir, dir, commit: built.commit, ref: trainRef(batchId) });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('checked\n');
    expect(existsSync(join(dir, 'z.txt'))).toBe(false);
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(built.commit);
  });

  it('builds several cars in one step, leaves out the one that conflicts, goes on from the last good result, and lands the lot', async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'shared.txt': 'one\nTWO (a)\nthree\n' });
    const b = await attemptOn(r1, { 'shared.txt': 'one\nTWO (b)\nthree\n' });
    const c = await attemptOn(r1, { 'c.txt': 'c\n' });
    const before = gitIn(project, 'rev-parse', 'main');
    const car = (w: typeof a) => ({ attemptId: w.attemptId, branch: w.branch, message: `land ${w.branch}` });
    const step = await buildCars({ mirrorDir: a.mirrorDir, scratchDir: scratch(), repository: project, target: 'main', batchId: `b${ulid()}`, cars: [car(a), car(b), car(c), { ...car(c), attemptId: 'gone', refused: 'moved away' }], onto: null, integration: 'squash', committer, land: true });
    expect(step.cars.map((r) => r.outcome)).toEqual(['built', 'conflict', 'built', 'failed']);
    expect(step.cars[1]).toMatchObject({ files: ['shared.txt'] });
    expect(step.cars[3]).toMatchObject({ message: 'moved away' });
    const last = step.cars[2] as { commit: string };
    expect(step.landing).toEqual({ outcome: 'landed', commit: last.commit });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(last.commit);
    expect(gitIn(project, 'rev-list', '--count', `${before}..main`)).toBe('2');
    expect(readFileSync(join(project, 'shared.txt'), 'utf8')).toContain('TWO (a)');
    expect(existsSync(join(project, 'c.txt'))).toBe(true);
  });

  it('lands nothing when the project refuses the landing (its checkout of main has uncommitted changes): the answer says why', async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'README.md': '# changed by the car\n' });
    writeFileSync(join(project, 'README.md'), '# someone is editing this\n');
    const before = gitIn(project, 'rev-parse', 'main');
    const r = await buildCars({ mirrorDir: a.mirrorDir, scratchDir: scratch(), repository: project, target: 'main', batchId: `b${ulid()}`, cars: [{ attemptId: a.attemptId, branch: a.branch, message: 'x' }], onto: null, integration: 'squash', committer, land: true });
    expect(r.cars.map((c) => c.outcome)).toEqual(['built']);
    expect(r.landing).toMatchObject({ outcome: 'failed', message: expect.stringContaining('uncommitted changes (README.md)') });
    expect(gitIn(project, 'rev-parse', 'main')).toBe(before);
    expect(gitIn(a.mirrorDir, 'rev-parse', 'refs/heads/main')).toBe(before);
  });

  it("creates no directory in the mirror's object store, where an agent of a root runner commits (its 256 loose-object dirs exist from the start)", async () => {
    const r1 = runner();
    const a = await attemptOn(r1, { 'a.txt': 'a\n' });
    const objectDirs = () => readdirSync(join(a.mirrorDir, 'objects')).sort();
    expect(objectDirs().filter((d) => /^[0-9a-f]{2}$/.test(d))).toHaveLength(256);
    expect(gitIn(a.mirrorDir, 'config', 'gc.auto')).toBe('0');
    const before = objectDirs();
    commit(project, { 'upstream.txt': 'u\n' }, 'upstream work');
    await build(a, `b${ulid()}`, null);
    expect(objectDirs()).toEqual(before);
  });
});
