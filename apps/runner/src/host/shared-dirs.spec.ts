import { pathsToHandOver, SharedDirs, writtenWithParents, type WrittenPath } from './shared-dirs';

/** A chown that records its calls and finishes when the test says so. */
function fakeChown() {
  const calls: { paths: WrittenPath[]; finish: (err?: Error) => void }[] = [];
  const chown = (paths: readonly WrittenPath[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ paths: [...paths], finish: (err) => (err ? reject(err) : resolve()) });
    });
  return { calls, chown };
}

const tick = () => new Promise((r) => setImmediate(r));
const MIRROR = '/data/repos/app.git';

describe(SharedDirs.name, () => {
  it('hands a shared dir over once for 50 starts that need it at once', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);

    const starts = Array.from({ length: 50 }, () => sut.handOver(MIRROR));
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0].paths).toEqual([{ path: MIRROR, deep: true }]);
    calls[0].finish();
    await Promise.all(starts);
    expect(calls).toHaveLength(1);
  });

  it('does not hand over again while nothing was written', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    const first = sut.handOver(MIRROR);
    await tick();
    calls[0].finish();
    await first;

    await sut.handOver(MIRROR);
    await sut.handOver(MIRROR);
    expect(calls).toHaveLength(1);
  });

  it('hands over a write marked after the running hand-over began before the start that waits proceeds', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    const first = sut.handOver(MIRROR);
    await tick();
    calls[0].finish();
    await first;

    // A start needs the mirror after a worktree add; while its hand-over runs, a fetch writes objects.
    sut.written(MIRROR, [{ path: `${MIRROR}/refs/heads`, deep: true }]);
    let early = false;
    const a = sut.handOver(MIRROR).then(() => (early = true));
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1].paths).toEqual([{ path: `${MIRROR}/refs/heads`, deep: true }]);

    sut.written(MIRROR, [`${MIRROR}/objects`]);
    let bDone = false;
    const b = sut.handOver(MIRROR).then(() => (bDone = true));
    calls[1].finish();
    await a;
    expect(early).toBe(true);
    await tick();
    expect(bDone).toBe(false);
    expect(calls).toHaveLength(3);
    expect(calls[2].paths).toEqual([{ path: `${MIRROR}/objects`, deep: true }]);
    calls[2].finish();
    await b;
    expect(sut.pending).toBe(0);
  });

  it('hands a dir over again at once when the runner writes into it, for the sessions already running', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    const first = sut.handOver(MIRROR);
    await tick();
    calls[0].finish();
    await first;

    sut.written(MIRROR);
    expect(calls).toHaveLength(2);
    expect(calls[1].paths).toEqual([{ path: MIRROR, deep: true }]);
    const start = sut.handOver(MIRROR);
    await tick();
    expect(calls).toHaveLength(2);
    calls[1].finish();
    await start;
  });

  it('remembers nothing for a dir never handed over: its first hand-over takes all of it', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    sut.written(MIRROR, [`${MIRROR}/objects`]);
    expect(sut.pending).toBe(0);
    expect(calls).toHaveLength(0);
    const start = sut.handOver(MIRROR);
    await tick();
    expect(calls[0].paths).toEqual([{ path: MIRROR, deep: true }]);
    calls[0].finish();
    await start;
  });

  it('ignores writes in other dirs', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    const first = sut.handOver(MIRROR);
    await tick();
    calls[0].finish();
    await first;
    sut.written('/data/repos/other.git');
    sut.written('/data/worktrees/a1', ['/data/worktrees/a1/.env']);
    await sut.handOver(MIRROR);
    expect(calls).toHaveLength(1);
    expect(sut.pending).toBe(0);
  });

  it('fails the start whose hand-over failed, and the next start tries again', async () => {
    const { calls, chown } = fakeChown();
    const sut = new SharedDirs(chown);
    const a = sut.handOver(MIRROR);
    const b = sut.handOver(MIRROR);
    await tick();
    calls[0].finish(new Error('chown: operation not permitted'));
    await expect(a).rejects.toThrow('not permitted');
    await tick();
    expect(calls).toHaveLength(2);
    calls[1].finish();
    await b;
  });
});

describe(pathsToHandOver.name, () => {
  it('takes the whole root when a write was marked on it or above it', () => {
    expect(pathsToHandOver(MIRROR, [{ path: `${MIRROR}/objects`, deep: true }, { path: '/data/repos', deep: true }])).toEqual([{ path: MIRROR, deep: true }]);
  });

  it('keeps the outermost trees and the single entries no tree covers', () => {
    const marks = [
      { path: `${MIRROR}/refs/heads/baton`, deep: true },
      { path: `${MIRROR}/refs/heads`, deep: true },
      { path: `${MIRROR}/refs/heads/baton`, deep: false },
      { path: `${MIRROR}/worktrees`, deep: false },
      { path: `${MIRROR}/worktrees/a1`, deep: true },
    ];
    expect(pathsToHandOver(MIRROR, marks)).toEqual([
      { path: `${MIRROR}/refs/heads`, deep: true },
      { path: `${MIRROR}/worktrees/a1`, deep: true },
      { path: `${MIRROR}/worktrees`, deep: false },
    ]);
  });
});

describe(writtenWithParents.name, () => {
  it('names the directories a copy may have made on the way, below the root', () => {
    expect(writtenWithParents('/p', '/p/config/local/.env')).toEqual([
      { path: '/p/config/local/.env', deep: true },
      { path: '/p/config/local', deep: false },
      { path: '/p/config', deep: false },
    ]);
  });
});
