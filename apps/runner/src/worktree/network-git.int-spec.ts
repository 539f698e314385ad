import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@baton/testing';
import { ulid } from 'ulid';
import { git, GitError, stopRunningGit } from './git';
import { makeRepo, removeTemps, tempDir } from './__tests__/git-fixtures';
import { processesMentioning, startHangingServer, uniqueToken } from './__tests__/hanging-server';
import { Worktrees } from './worktrees';

/** Clones and fetches of a project's repository: what git may reach, and that a hung one can be ended whole. */
describe('git against a project repository', () => {
  let server: Awaited<ReturnType<typeof startHangingServer>>;
  let dataDir: string;

  beforeAll(async () => {
    server = await startHangingServer();
  });
  beforeEach(() => {
    dataDir = tempDir('baton-runner-data-');
  });
  afterAll(async () => {
    await server?.close();
    removeTemps();
  });

  const cloneInto = () => join(tempDir('baton-clone-'), 'c');
  const hangingClone = (url: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}) => git(['clone', '--bare', '--quiet', '--', url, cloneInto()], { cwd: tmpdir(), ...opts });

  it.each([
    ['fd::3', /transport 'fd' not allowed/],
    ['ext::sh -c touch% MARKER', /transport 'ext' not allowed/],
    ['git://127.0.0.1:1/r.git', /transport 'git' not allowed/],
    ['http://127.0.0.1:1/r.git', /transport 'http' not allowed/],
  ])('git itself refuses %j, whatever location reaches it', async (location, why) => {
    const marker = join(tmpdir(), `pwned-${uniqueToken()}`);
    const started = performance.now();
    const clone = git(['clone', '--quiet', '--', location.replace('MARKER', marker), cloneInto()], { cwd: tmpdir(), timeoutMs: 10_000 });
    await expect(clone).rejects.toThrow(why);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(existsSync(marker)).toBe(false);
  });

  it('an abort ends a hung clone with every helper it started', async () => {
    const token = uniqueToken();
    const abort = new AbortController();
    const clone = hangingClone(server.url(token), { signal: abort.signal });
    // git and git-remote-https are both up, the helper blocked in its TLS handshake.
    await eventually(() => processesMentioning(token).length >= 2, 10_000, 'git clone and its helper running');
    abort.abort();
    await expect(clone).rejects.toMatchObject({ killed: 'aborted' });
    await eventually(() => processesMentioning(token).length === 0, 5_000, 'no git process left');
  });

  it('a timeout ends a hung clone with every helper it started, and says so', async () => {
    const token = uniqueToken();
    const clone = hangingClone(server.url(token), { timeoutMs: 1_500 });
    await eventually(() => processesMentioning(token).length >= 2, 10_000, 'git clone and its helper running');
    const error = await clone.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/timed out after \d+ s/);
    await eventually(() => processesMentioning(token).length === 0, 5_000, 'no git process left');
  });

  it('stopRunningGit ends every git still running (the runner stopping)', async () => {
    const token = uniqueToken();
    const clones = [hangingClone(server.url(token)), hangingClone(server.url(token))].map((c) => c.catch((e: unknown) => e));
    await eventually(() => processesMentioning(token).length >= 4, 10_000, 'two clones running');
    expect(await stopRunningGit()).toBeGreaterThanOrEqual(2);
    for (const c of clones) expect(await c).toMatchObject({ killed: 'aborted' });
    expect(processesMentioning(token)).toEqual([]);
  });

  it("an attempt's worktree: stopping the start kills the mirror's clone and leaves no half mirror", async () => {
    const sut = new Worktrees({ dataDir });
    const token = uniqueToken();
    const abort = new AbortController();
    const ensure = sut.ensure({ attemptId: ulid(), repository: server.url(token), branch: 'baton/x', base: 'main', signal: abort.signal });
    await eventually(() => processesMentioning(token).length >= 2, 10_000, 'the mirror clone running');
    abort.abort();
    await expect(ensure).rejects.toMatchObject({ killed: 'aborted' });
    await eventually(() => processesMentioning(token).length === 0, 5_000, 'no git process left');
    expect(readdirSync(join(dataDir, 'repos'))).toEqual([]);
    // The same Worktrees carries on with a repository that answers.
    expect((await sut.ensure({ attemptId: ulid(), repository: makeRepo(), branch: 'baton/y', base: 'main' })).reused).toBe(false);
  });

  it('refuses a location stored before the allow-list without running git', async () => {
    const sut = new Worktrees({ dataDir });
    for (const location of ['fd::3', 'ext::sh -c x', '-uhelp', 'relative/repo', 'git://127.0.0.1:1/r.git']) {
      await expect(sut.ensure({ attemptId: ulid(), repository: location, branch: 'baton/x', base: 'main' })).rejects.toThrow(/repository location .* is refused/);
    }
    expect(existsSync(join(dataDir, 'repos'))).toBe(false);
  });
});
