import { canAgent, type Role } from '@baton/events';
import { parseLiveRoom, roleAtLeast, type LiveRoom } from '@baton/contracts';
import { hasRole, type Caller, type Principal } from '../auth/principal';
import type { Memberships } from '../membership/memberships';
import type { AggregateDirectory } from './aggregate-directory';
import { LiveError } from './live-error';

/** What a socket wants to do with a session: watch it, or type into it (and resize it). */
export type SessionUse = 'watch' | 'type';

/**
 * Who may watch and steer what, in one place. Users: admins see every project; anyone else
 * the projects it is a member of (docs/decisions/0023) — any other project or its sessions
 * "does not exist", as on REST — and the shared fleet of runners. Typing and resizing change
 * what an agent does: the operator role in the session's project (global role and project
 * role both). Agents (session tokens): only the sessions `canAgent` lets them read — itself,
 * its parent, workers and siblings — never a whole project or runner; they type where
 * `canAgent` allows `session.send_input` and never resize.
 */
export class LiveAccess {
  constructor(
    private readonly dir: AggregateDirectory,
    private readonly memberships: Pick<Memberships, 'roleIn'>,
  ) {}

  canSeeRunners(caller: Caller): boolean {
    return caller.kind === 'user';
  }

  /** Whether the caller's global role lets it type at all (agents are checked per session). */
  mayType(caller: Caller): boolean {
    return caller.kind === 'agent' || hasRole(caller, 'operator');
  }

  /** Whether the caller steers a session it was let into with `role` (what checkSession answered). */
  mayResize(caller: Caller, role: Role | 'agent'): boolean {
    return caller.kind === 'user' && role !== 'agent' && roleAtLeast(role, 'operator');
  }

  /** Throws a `LiveError` (forbidden / not_found) unless the caller may join the room. */
  async checkRoom(caller: Caller, room: LiveRoom): Promise<void> {
    const { kind, id } = parseLiveRoom(room);
    switch (kind) {
      case 'project':
        if (caller.kind !== 'user') throw new LiveError('forbidden', `you may not see project ${id}`);
        if ((await this.memberships.roleIn(caller, id)) === null) throw hiddenProject(id);
        return;
      case 'session':
        await this.checkSession(caller, id, 'watch');
        return;
      case 'runner':
        if (!this.canSeeRunners(caller)) throw new LiveError('forbidden', 'you may not see runners');
        return;
    }
  }

  /** Throws unless the session exists and the caller may use it so; answers the user's role in its project ('agent' for agents). */
  async checkSession(caller: Caller, sessionId: string, use: SessionUse): Promise<Role | 'agent'> {
    const session = await this.dir.session(sessionId);
    if (caller.kind === 'user') {
      const role = session ? await this.memberships.roleIn(caller, session.projectId) : null;
      if (!session || role === null) throw hiddenSession(caller, sessionId);
      if (use === 'type' && !roleAtLeast(role, 'operator')) {
        throw new LiveError('forbidden', `steering session ${sessionId} needs the operator role in project ${session.projectId}; you are a ${role} there`);
      }
      return role;
    }
    if (!session) throw new LiveError('not_found', `session ${sessionId} does not exist`);
    const verdict = canAgent(caller.claims, use === 'watch' ? 'session.read' : 'session.send_input', { sessionId, ...session });
    if (!verdict.allowed) throw new LiveError('forbidden', verdict.reason);
    return 'agent';
  }
}

/** The same words for "no such project" and "not yours", as REST says them. */
function hiddenProject(projectId: string): LiveError {
  return new LiveError('not_found', `project ${projectId} does not exist, or you are not one of its members`);
}

function hiddenSession(user: Principal, sessionId: string): LiveError {
  return new LiveError('not_found', user.role === 'admin' ? `session ${sessionId} does not exist` : `session ${sessionId} does not exist, or is not in a project you are a member of`);
}
