import { spawn } from 'node:child_process';

export interface ScriptOptions {
  /** Program and arguments; never a shell line (a template that wants a shell says `["bash", "-c", …]`). */
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
  /** Output kept for the report: the last this many bytes of stdout and stderr interleaved. */
  maxOutputBytes?: number;
  /** Started as this user (a root runner's agent user: the script runs where its agent does). */
  user?: { uid: number; gid: number };
}

export interface ScriptResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
}

/**
 * Runs a template's setup or cleanup script in a worktree. It gets a process group of its
 * own, so a timeout ends whatever it started (a dev server, a watcher) and not just its shell.
 */
export function runScript(opts: ScriptOptions): Promise<ScriptResult> {
  const [command, ...args] = opts.argv;
  if (!command) return Promise.reject(new Error('script argv is empty'));
  const maxOutput = opts.maxOutputBytes ?? 64 * 1024;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}) });
    let output = Buffer.alloc(0);
    const keep = (b: Buffer) => {
      output = Buffer.concat([output, b]);
      if (output.length > maxOutput * 2) output = output.subarray(output.length - maxOutput);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup('SIGTERM');
          setTimeout(() => killGroup('SIGKILL'), 2_000).unref();
        }, opts.timeoutMs)
      : null;
    child.once('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${e.message}`));
    });
    // Whatever it left running in its group does not outlive it (and would hold its pipes open).
    child.once('exit', () => killGroup('SIGKILL'));
    child.once('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      const text = output.subarray(Math.max(0, output.length - maxOutput)).toString('utf8');
      resolve({ exitCode, signal, timedOut, output: text, durationMs: Math.round(performance.now() - started) });
    });
  });
}
