import { cp, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';

export interface CopyFilesResult {
  copied: string[];
  /** Named but absent in the source: templates list optional files like `.env.local`. */
  missing: string[];
  /** Symlinks inside a copied directory that point outside the repository, left out. */
  skipped: string[];
}

export class UnsafePathError extends Error {
  readonly code = 'unsafe_path';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`refusing to copy ${JSON.stringify(path)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Copies files the repository does not track (`.env`, local certificates …) from the
 * project's checkout into a worktree. Paths are relative to both roots; any path that would
 * read or write outside them — `..`, absolute, or through a symlink — is refused before
 * anything is copied.
 */
export async function copyFiles(sourceRoot: string, targetRoot: string, paths: readonly string[]): Promise<CopyFilesResult> {
  const source = await realpath(sourceRoot);
  const target = await realpath(targetRoot);
  const plan: { rel: string; from: string; to: string }[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const rel = checkRelative(path);
    const from = join(source, rel);
    const exists = await lstat(from).then(() => true, () => false);
    if (!exists) {
      missing.push(path);
      continue;
    }
    if (!within(source, await realpath(from))) throw new UnsafePathError(path, 'it resolves outside the project repository');
    const to = join(target, rel);
    if ((await lstat(to).catch(() => null))?.isSymbolicLink()) throw new UnsafePathError(path, 'its destination in the worktree is a symlink');
    // A symlink committed in the worktree (e.g. `config -> /etc`) must not redirect the write.
    if (!within(target, await realExistingAncestor(to))) throw new UnsafePathError(path, 'its destination resolves outside the worktree');
    plan.push({ rel, from, to });
  }
  const skipped: string[] = [];
  // Symlinks are copied as what they point to, and only when that is inside the repository.
  const insideSource = async (src: string) => {
    if (!(await lstat(src)).isSymbolicLink()) return true;
    const ok = within(source, await realpath(src).catch(() => '/'));
    if (!ok) skipped.push(relative(source, src));
    return ok;
  };
  for (const { from, to } of plan) {
    await mkdir(dirname(to), { recursive: true });
    const isDir = (await stat(from)).isDirectory();
    await cp(from, to, { recursive: isDir, force: true, dereference: true, errorOnExist: false, filter: insideSource });
  }
  return { copied: plan.map((p) => p.rel), missing, skipped };
}

function checkRelative(path: string): string {
  if (!path || path.includes('\0')) throw new UnsafePathError(path, 'empty or contains NUL');
  if (isAbsolute(path)) throw new UnsafePathError(path, 'absolute paths are not allowed');
  const rel = normalize(path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || rel === '.' || rel.split(sep).includes('.git')) {
    throw new UnsafePathError(path, 'it leaves the repository root or touches .git');
  }
  return rel;
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** realpath of the deepest part of `path` that exists (the file itself may not yet). */
async function realExistingAncestor(path: string): Promise<string> {
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), relative(current, path));
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      current = parent;
    }
  }
}
