/**
 * A session's environment. The runner's own environment holds its secrets (database URL,
 * runner secret): a session inherits only the names the operator lets through, never a
 * `BATON_*` one. On top: the launch's env (project, template, Baton's variables), the paths
 * of the files written for it, and what only the runner knows (port, session directory).
 */
export function inheritedEnv(source: NodeJS.ProcessEnv, allow: readonly string[]): Record<string, string> {
  const matchers = allow.map((p) => {
    if (p.endsWith('*')) return (name: string) => name.startsWith(p.slice(0, -1));
    if (p.startsWith('*')) return (name: string) => name.endsWith(p.slice(1));
    return (name: string) => name === p;
  });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || name.startsWith('BATON_')) continue;
    if (matchers.some((m) => m(name))) env[name] = value;
  }
  return env;
}

export interface SessionEnvInput {
  inherited: Record<string, string>;
  /** `launch.env` of the start message: data, never code. */
  launch: Record<string, string>;
  /** `exportAs` name → absolute path of a written launch file. */
  files: Record<string, string>;
  sessionId: string;
  port: number;
  sessionDir: string;
  workspaceDir: string;
  /** Marks the session's processes as this runner's, so a restarted runner finds leftovers. */
  runnerKey: string;
  /** The file the runner keeps the session's token fresh in (decision 0024); `baton` reads it before BATON_TOKEN. */
  tokenFile?: string | null;
}

export const RUNNER_KEY_VAR = 'BATON_RUNNER_KEY';

export function sessionEnv(input: SessionEnvInput): Record<string, string> {
  return {
    ...input.inherited,
    ...input.launch,
    ...input.files,
    BATON_SESSION_ID: input.sessionId,
    BATON_PORT: String(input.port),
    PORT: input.launch.PORT ?? String(input.port),
    BATON_SESSION_DIR: input.sessionDir,
    BATON_WORKSPACE: input.workspaceDir,
    [RUNNER_KEY_VAR]: input.runnerKey,
    ...(input.tokenFile ? { BATON_TOKEN_FILE: input.tokenFile } : {}),
  };
}
