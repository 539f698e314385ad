import { canAgent } from '@baton/events';
import { parseLiveRoom, type LiveRoom } from '@baton/contracts';
import { hasRole, type Caller } from '../auth/principal';
import type { AggregateDirectory } from './aggregate-directory';
import { LiveError } from './live-error';

/** What a socket wants to do with a session: watch it, or type into it. */
export type SessionUse = 'watch' | 'type';

/**
 * Who may watch and steer what, in one place. Users: today every user sees every project
 * (and the shared fleet of runners); teams narrow `canSeeProject` and nothing else has to
 * change. Typing and resizing change what an agent does: operators and admins only.
 * Agents (session tokens): only the sessions `canAgent` lets them read — itself, its
 * parent, workers and siblings — never a whole project or runner; they type where
 * `canAgent` allows `session.send_input` and never resize.
 */
export class LiveAccess {
  constructor(private readonly dir: AggregateDirectory) {}

  canSeeProject(caller: Caller, _projectId: string): boolean {
    return caller.kind === 'user';
  }

  canSeeRunners(caller: Caller): boolean {
    return caller.kind === 'user';
  }

  /** Whether the caller's role lets it type at all (agents are checked per session). */
  mayType(caller: Caller): boolean {
    return caller.kind === 'agent' || hasRole(caller, 'operator');
  }

  mayResize(caller: Caller): boolean {
    return caller.kind === 'user' && hasRole(caller, 'operator');
  }

  /** Throws a `LiveError` (forbidden / not_found) unless the caller may join the room. */
  async checkRoom(caller: Caller, room: LiveRoom): Promise<void> {
    const { kind, id } = parseLiveRoom(room);
    switch (kind) {
      case 'project':
        if (!this.canSeeProject(caller, id)) throw new LiveError('forbidden', `you may not see project ${id}`);
        return;
      case 'session':
        await this.checkSession(caller, id, 'watch');
        return;
      case 'runner':
        if (!this.canSeeRunners(caller)) throw new LiveError('forbidden', 'you may not see runners');
        return;
    }
  }

  /** Throws unless the session exists and the caller may use it so. */
  async checkSession(caller: Caller, sessionId: string, use: SessionUse): Promise<void> {
    const session = await this.dir.session(sessionId);
    if (!session) throw new LiveError('not_found', `session ${sessionId} does not exist`);
    if (caller.kind === 'user') {
      if (!this.canSeeProject(caller, session.projectId)) throw new LiveError('forbidden', `you may not see session ${sessionId}`);
      return;
    }
    const verdict = canAgent(caller.claims, use === 'watch' ? 'session.read' : 'session.send_input', { sessionId, ...session });
    if (!verdict.allowed) throw new LiveError('forbidden', verdict.reason);
  }
}
