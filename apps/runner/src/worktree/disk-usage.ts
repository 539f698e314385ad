import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const WORKERS = 16;

/**
 * Bytes a directory takes on disk, like `du -s` (allocated blocks, hard links once,
 * symlinks not followed). A worktree's objects live in the mirror, so this is what the
 * attempt itself costs: checked-out files, build output, node_modules.
 */
export async function diskUsage(root: string): Promise<number> {
  const seen = new Set<string>();
  const pending = [root];
  let total = 0;
  // A few workers over one queue: a node_modules tree must not open thousands of handles at once.
  const worker = async () => {
    for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
      const st = await lstat(path).catch(() => null); // vanished while we walked: count nothing
      if (!st) continue;
      if (st.nlink > 1 && !st.isDirectory()) {
        const id = `${st.dev}:${st.ino}`;
        if (seen.has(id)) continue;
        seen.add(id);
      }
      // blocks is in 512-byte units; filesystems that do not report it fall back to the size.
      total += st.blocks > 0 ? st.blocks * 512 : st.size;
      if (st.isDirectory()) {
        const dir = path;
        for (const entry of await readdir(dir).catch(() => [] as string[])) pending.push(join(dir, entry));
      }
    }
  };
  // Workers that find the queue empty while another still lists a directory would stop early;
  // rounds until the queue stays empty make sure every path is visited.
  while (pending.length > 0) await Promise.all(Array.from({ length: WORKERS }, worker));
  return total;
}
