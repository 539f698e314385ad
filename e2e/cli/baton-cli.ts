import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@baton/testing';

/** The built binary, as a user runs it. */
export const CLI = join(REPO_ROOT, 'apps/cli/dist/main.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment with nothing of the caller's Baton settings: its own HOME (so no real
 * ~/.config/baton is read or written) and only the variables given.
 */
export function cleanEnv(vars: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'baton-home-'));
  return { PATH: process.env.PATH ?? '', HOME: home, ...vars };
}

/** Runs `node apps/cli/dist/main.js …args`, feeding `input` on standard input. */
export function runCli(args: string[], env: Record<string, string>, input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `runCli`, failing with the CLI's own error when it does not exit 0. */
export async function runCliOk(args: string[], env: Record<string, string>): Promise<Ran> {
  const r = await runCli(args, env);
  if (r.code !== 0) throw new Error(`baton ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Parses stdout as JSON, saying what came out when it is not. */
export function json<T = Record<string, unknown>>(r: Ran): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
