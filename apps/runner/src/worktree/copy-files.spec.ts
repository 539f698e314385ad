import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemps, tempDir, writeFiles } from './__tests__/git-fixtures';
import { copyFiles, UnsafePathError } from './copy-files';

describe(copyFiles.name, () => {
  let source: string;
  let target: string;
  let outside: string;

  beforeEach(() => {
    source = tempDir('baton-src-');
    target = tempDir('baton-dst-');
    outside = tempDir('baton-outside-');
    writeFiles(source, { '.env': 'A=1\n', 'config/local.json': '{}\n', 'certs/dev.pem': 'PEM\n' });
    writeFileSync(join(outside, 'secret'), 'host secret\n');
  });
  afterAll(removeTemps);

  it('copies files and whole directories, creating parents, and lists the missing ones', async () => {
    const result = await copyFiles(source, target, ['.env', 'config/local.json', 'certs', 'nope/.env']);
    expect(result).toEqual({ copied: ['.env', 'config/local.json', 'certs'], missing: ['nope/.env'], skipped: [] });
    expect(readFileSync(join(target, 'config/local.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(join(target, 'certs/dev.pem'), 'utf8')).toBe('PEM\n');
  });

  it('overwrites a stale copy', async () => {
    writeFileSync(join(target, '.env'), 'OLD=1\n');
    await copyFiles(source, target, ['.env']);
    expect(readFileSync(join(target, '.env'), 'utf8')).toBe('A=1\n');
  });

  it.each([['../outside'], ['/etc/passwd'], ['config/../../x'], ['.git/config'], [''], ['.']])('refuses %j before copying anything', async (bad) => {
    await expect(copyFiles(source, target, ['.env', bad])).rejects.toBeInstanceOf(UnsafePathError);
    expect(existsSync(join(target, '.env'))).toBe(false);
  });

  it('refuses a source symlink that points out of the repository', async () => {
    symlinkSync(join(outside, 'secret'), join(source, 'linked-secret'));
    await expect(copyFiles(source, target, ['linked-secret'])).rejects.toThrow(/outside the project repository/);
  });

  it('refuses to write through a symlink in the worktree', async () => {
    symlinkSync(outside, join(target, 'config'));
    await expect(copyFiles(source, target, ['config/local.json'])).rejects.toThrow(/destination resolves outside/);
    symlinkSync(join(outside, 'secret'), join(target, '.env'));
    await expect(copyFiles(source, target, ['.env'])).rejects.toThrow(/destination in the worktree is a symlink/);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('host secret\n');
  });

  it('leaves out symlinks inside a copied directory that point out of the repository', async () => {
    symlinkSync(join(outside, 'secret'), join(source, 'certs', 'escape'));
    mkdirSync(join(source, 'certs', 'sub'));
    symlinkSync(join(source, '.env'), join(source, 'certs', 'sub', 'env-link'));
    const result = await copyFiles(source, target, ['certs']);
    expect(result.skipped).toEqual([join('certs', 'escape')]);
    expect(existsSync(join(target, 'certs', 'escape'))).toBe(false);
    expect(readFileSync(join(target, 'certs', 'sub', 'env-link'), 'utf8')).toBe('A=1\n');
  });
});
