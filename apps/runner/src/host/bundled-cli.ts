import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Agents talk back through `baton` (templates say `argv: ['baton', …]`). The runner puts
 * the very CLI it ships with first on every session's PATH: a `baton` launcher in its data
 * directory that runs this Node binary on this checkout's CLI — no global install needed,
 * and never a different version than the runner's.
 */
/** The CLI built beside this runner (apps/cli/dist/main.js); BATON_CLI_MAIN overrides it. */
export const DEFAULT_CLI_MAIN = process.env.BATON_CLI_MAIN ?? resolve(__dirname, '../../../cli/dist/main.js');

export async function installBundledCli(dataDir: string, cliMain = DEFAULT_CLI_MAIN): Promise<string> {
  const bin = join(dataDir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o700 });
  const launcher = join(bin, 'baton');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(launcher, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(cliMain)} "$@"\n`, { mode: 0o755 });
  await chmod(launcher, 0o755);
  return bin;
}

/** PATH with `dir` first (kept once). */
export function withPathFirst(env: Record<string, string>, dir: string): Record<string, string> {
  const rest = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter((p) => p && p !== dir);
  return { ...env, PATH: [dir, ...rest].join(':') };
}
