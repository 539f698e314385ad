import type { SessionHost } from '../host/session-host';
import type { Worktrees } from '../worktree';

export const RUNNER_HTTP = Symbol('RUNNER_HTTP');

export interface RunnerHttpDeps {
  host: Pick<SessionHost, 'screen'>;
  worktrees: Pick<Worktrees, 'get' | 'diff' | 'merge'>;
  secret: string | null;
}
