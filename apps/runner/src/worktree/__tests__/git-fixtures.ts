import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

const temps: string[] = [];

/** A temp dir removed by `removeTemps`. */
export function tempDir(prefix = 'baton-wt-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function gitIn(cwd: string, ...args: string[]): string {
  // A root runner's worktrees belong to its sessions' user: "dubious ownership" to root's git.
  return execFileSync('git', ['-c', 'safe.directory=*', ...args], { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Writes the files, commits everything, returns the commit. */
export function commit(cwd: string, files: Record<string, string>, message: string): string {
  writeFiles(cwd, files);
  gitIn(cwd, 'add', '-A');
  gitIn(cwd, 'commit', '-q', '-m', message);
  return gitIn(cwd, 'rev-parse', 'HEAD');
}

/** A real repository on `main` with one commit, like a project's checkout. */
export function makeRepo(files: Record<string, string> = { 'README.md': '# demo\n' }): string {
  const dir = tempDir('baton-project-');
  gitIn(dir, 'init', '-q', '-b', 'main');
  commit(dir, files, 'initial');
  return dir;
}
