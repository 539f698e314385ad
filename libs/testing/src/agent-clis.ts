import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The real agent CLIs, installed from npm at the version Baton's adapters are verified against
 * (libs/agents `verifiedVersion`), once per machine: `~/.cache/baton-agent-clis/<pkg>@<version>`,
 * as root `/var/cache/baton-agent-clis/…` (a root runner's agents run as their own user, who
 * cannot enter root's home), or BATON_AGENT_CLI_CACHE. Returns the directory holding its executables.
 */
export async function installAgentCli(pkg: string, version: string): Promise<string> {
  const root = process.env.BATON_AGENT_CLI_CACHE ?? (process.getuid?.() === 0 ? '/var/cache/baton-agent-clis' : join(homedir(), '.cache', 'baton-agent-clis'));
  const dir = join(root, `${pkg}@${version}`.replace(/[/@]/g, '_'));
  const bin = join(dir, 'node_modules', '.bin');
  if (existsSync(join(dir, '.installed'))) return bin;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `${pkg}@${version}`], { cwd: dir, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  writeFileSync(join(dir, '.installed'), `${pkg}@${version}\n`);
  return bin;
}
