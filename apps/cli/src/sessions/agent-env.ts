import { IdSchema } from '@baton/events';
import { CliError } from '../api-client';
import type { Env } from '../context';

/**
 * Inside a session's terminal the runner sets BATON_SESSION_ID, BATON_API_URL and a
 * session-scoped BATON_TOKEN, so an agent's `baton report …` needs no flags.
 */
export function ownSessionId(env: Env, explicit?: string | false): string {
  const id = explicit || env.BATON_SESSION_ID;
  if (!id) throw new CliError('not inside a Baton session: BATON_SESSION_ID is not set (pass --session <id>)', 2);
  if (!IdSchema.safeParse(id).success) throw new CliError(`${explicit ? '--session' : 'BATON_SESSION_ID'} is not a valid id: ${id}`, 2);
  return id;
}

/** Whether this process runs as an agent inside a session (or was told which session with --session). */
export function inSession(env: Env, explicit?: string | false): boolean {
  if (explicit === false) return false;
  return Boolean(explicit || env.BATON_SESSION_ID);
}

/** `self` names the caller's own session. */
export function sessionRef(env: Env, ref: string): string {
  return ref === 'self' ? ownSessionId(env) : ref;
}

/** The project a command acts in: the flag, else the session's (BATON_PROJECT_ID). */
export function projectIdFrom(env: Env, explicit?: string): string {
  const id = explicit || env.BATON_PROJECT_ID;
  if (!id) throw new CliError('name the project with --project <id> (or run inside a session, where BATON_PROJECT_ID is set)', 2);
  return id;
}
