import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemps, tempDir } from '../worktree/__tests__/git-fixtures';
import { Worktrees } from '../worktree';
import { LaunchError, Workspaces, type PreparedWorkspace } from './workspaces';

describe(Workspaces.name, () => {
  let dataDir: string;
  let sut: Workspaces;
  beforeEach(() => {
    dataDir = tempDir('baton-ws-');
    sut = new Workspaces(dataDir, new Worktrees({ dataDir }));
  });
  afterAll(removeTemps);

  it("writes launch files into the session's own directory with their modes, and exports their paths", async () => {
    const exports = await sut.writeLaunchFiles('s1', [
      { path: 'manifest.md', content: '# m', mode: 0o644, exportAs: 'BATON_MANIFEST' },
      { path: 'bin/run.sh', content: 'echo', mode: 0o755, exportAs: null },
      { path: 'secret.json', content: '{}', mode: 0o600, exportAs: 'BATON_SECRET_FILE' },
    ]);
    const dir = join(dataDir, 'sessions', 's1');
    expect(exports).toEqual({ BATON_MANIFEST: join(dir, 'manifest.md'), BATON_SECRET_FILE: join(dir, 'secret.json') });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'bin/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'secret.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'manifest.md'), 'utf8')).toBe('# m');
  });

  it('replaces a symlink planted where a launch file goes instead of writing through it', async () => {
    const dir = join(dataDir, 'sessions', 's2');
    const outside = join(tempDir('baton-outside-'), 'target');
    writeFileSync(outside, 'untouched');
    mkdirSync(dir, { recursive: true });
    symlinkSync(outside, join(dir, 'prompt.md'));
    await sut.writeLaunchFiles('s2', [{ path: 'prompt.md', content: 'new', mode: 0o644, exportAs: null }]);
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'prompt.md')).isSymbolicLink()).toBe(false);
  });

  it('keeps the cwd inside the workspace and requires it to exist', async () => {
    const root = tempDir('baton-root-');
    mkdirSync(join(root, 'web'));
    const ws: PreparedWorkspace = { kind: 'project', key: 'project-p', root, created: false };
    expect(await sut.resolveCwd(ws, 'web')).toBe(join(root, 'web'));
    expect(await sut.resolveCwd(ws, '.')).toBe(root);
    await expect(sut.resolveCwd(ws, '../..')).rejects.toThrow(LaunchError);
    await expect(sut.resolveCwd(ws, '/etc')).rejects.toThrow(/leaves/);
    await expect(sut.resolveCwd(ws, 'nope')).rejects.toThrow(/does not exist/);
  });

  it('runs a setup script again only when it changed or never finished', async () => {
    const ws: PreparedWorkspace = { kind: 'attempt', key: 'attempt-a1', root: dataDir, created: true };
    expect(await sut.needsSetup(ws, 'npm ci')).toBe(true);
    await sut.setupDone(ws, 'npm ci');
    expect(await sut.needsSetup(ws, 'npm ci')).toBe(false);
    expect(await sut.needsSetup(ws, 'npm ci && npm run build')).toBe(true);
  });
});
