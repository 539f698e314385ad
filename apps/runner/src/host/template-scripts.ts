import type { Logger } from '@baton/event-store';
import { withoutInheritedFds } from '../pty';
import { runScript } from '../worktree';
import { LaunchError, type PreparedWorkspace, type Workspaces } from './workspaces';

/** A template's setup/cleanup script: its text run by sh, never holding other sessions' terminals. */
function shellScript(script: string): string[] {
  const [file, args] = withoutInheritedFds('/bin/sh', ['-c', script]);
  return [file, ...args];
}

/**
 * Where a session's scripts run: for a sandboxed agent, inside its sandbox as its user — the
 * worktree they run in is the agent's work (a `package.json` it wrote, a hook it added), so
 * they get no more than the agent does. Otherwise as they are.
 */
export type Confine = (argv: string[], cwd: string) => { argv: string[]; user?: { uid: number; gid: number } };
export const unconfined: Confine = (argv) => ({ argv });

/** Runs the setup script unless this workspace already ran this very script; a failure is a `LaunchError`. */
export async function runSetup(o: { workspaces: Workspaces; ws: PreparedWorkspace; script: string; env: Record<string, string>; timeoutMs: number; logger: Logger; sessionId: string; confine?: Confine }): Promise<void> {
  if (!(await o.workspaces.needsSetup(o.ws, o.script))) return;
  const { argv, user } = (o.confine ?? unconfined)(shellScript(o.script), o.ws.root);
  const result = await runScript({ argv, user, cwd: o.ws.root, env: o.env, timeoutMs: o.timeoutMs });
  o.logger.info({ sessionId: o.sessionId, exitCode: result.exitCode, ms: result.durationMs }, 'setup script ran');
  if (result.exitCode !== 0) {
    const how = result.timedOut ? `timed out after ${o.timeoutMs} ms` : result.signal ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
    throw new LaunchError(`setup script ${how}: ${result.output.trim().slice(-1_500)}`);
  }
  await o.workspaces.setupDone(o.ws, o.script);
}

/** Runs the cleanup script; its failure is logged, never thrown. */
export async function runCleanup(o: { cwd: string; script: string; env: Record<string, string>; timeoutMs: number; logger: Logger; sessionId: string; confine?: Confine }): Promise<void> {
  const { argv, user } = (o.confine ?? unconfined)(shellScript(o.script), o.cwd);
  const result = await runScript({ argv, user, cwd: o.cwd, env: o.env, timeoutMs: o.timeoutMs }).catch((e: Error) => ({ exitCode: null, output: e.message }));
  const level = result.exitCode === 0 ? 'info' : 'warn';
  o.logger[level]({ sessionId: o.sessionId, exitCode: result.exitCode, output: result.output.slice(-500) }, 'cleanup script ran');
}
