import { execFile } from 'node:child_process';

export interface GitResult {
  stdout: string;
  stderr: string;
}

export const DEFAULT_AUTHOR = { name: 'Baton demo agent', email: 'demo-agent@baton.invalid' };

/** Identity for commits: GIT_AUTHOR_* / GIT_COMMITTER_* from the environment win, else the demo agent's own. */
export function gitIdentityEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const name = env.BATON_DEMO_AUTHOR_NAME || env.GIT_AUTHOR_NAME || DEFAULT_AUTHOR.name;
  const email = env.BATON_DEMO_AUTHOR_EMAIL || env.GIT_AUTHOR_EMAIL || DEFAULT_AUTHOR.email;
  return {
    ...env,
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: env.GIT_COMMITTER_NAME || name,
    GIT_COMMITTER_EMAIL: env.GIT_COMMITTER_EMAIL || email,
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** `git …args` in `cwd`: argv only, never a shell line, so no task text is ever parsed as code. */
export function git(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, env: gitIdentityEnv(env), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const msg = String(stderr || err.message).trim().split('\n').slice(-3).join(' ');
        reject(new Error(`git ${args[0]} failed: ${msg}`));
      } else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function isWorkTree(cwd: string): Promise<boolean> {
  try {
    return (await git(['rev-parse', '--is-inside-work-tree'], cwd)).stdout.trim() === 'true';
  } catch {
    return false;
  }
}

export async function currentBranch(cwd: string): Promise<string | null> {
  try {
    const b = (await git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd)).stdout.trim();
    return b && b !== 'HEAD' ? b : null;
  } catch {
    return null;
  }
}

/** Stages the paths and commits them; null when nothing changed. Retries a busy index (another git in the same tree). */
export async function commitPaths(cwd: string, paths: readonly string[], message: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await git(['add', '--', ...paths], cwd, env);
      const staged = await git(['diff', '--cached', '--name-only', '--', ...paths], cwd, env);
      if (!staged.stdout.trim()) return null;
      await git(['commit', '--no-verify', '--quiet', '-m', message, '--', ...paths], cwd, env);
      return (await git(['rev-parse', 'HEAD'], cwd, env)).stdout.trim();
    } catch (e) {
      if (attempt >= 5 || !/index\.lock|unable to create/i.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
