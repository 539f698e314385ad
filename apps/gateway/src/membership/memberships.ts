import type { ProjectRole, RecordedEvent, Role } from '@baton/events';
import { effectiveProjectRole } from '@baton/contracts';
import type { QueryClient } from '@baton/event-store';
import type { Principal } from '../auth/principal';

/** A changed membership is seen within milliseconds through the log; this is the safety net. */
const TTL_MS = 10_000;
const MAX_USERS = 10_000;

type Listener = (userId: string, projectId: string) => void;

/**
 * Which projects a user is a member of, and as what (docs/decisions/0023): asked of the tasks
 * service once per user and kept in memory. Every gateway follows the log (the live layer's
 * follower calls `observe`), so a membership added, changed or removed through any replica
 * drops the user's entry at once, and the next lookup waits for the read model to have it.
 */
export class Memberships {
  private readonly cache = new Map<string, { roles: ReadonlyMap<string, ProjectRole>; until: number }>();
  /** The stream sequence the next lookup of a user must wait for (its membership changed there). */
  private readonly fresh = new Map<string, number>();
  /** Bumped on every change, so a lookup in flight across a change is not cached. */
  private readonly generation = new Map<string, number>();
  private readonly listeners = new Set<Listener>();

  constructor(private readonly queries: Pick<QueryClient, 'ask'>) {}

  /** The user's projects and its role in each (admins: only where they are members; they see all anyway). */
  async rolesOf(userId: string): Promise<ReadonlyMap<string, ProjectRole>> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.roles;
    const gen = this.generation.get(userId) ?? 0;
    const minSeq = this.fresh.get(userId) ?? 0;
    const rows = await this.queries.ask<{ projectId: string; role: ProjectRole }[]>('tasks', 'user_memberships', { userId }, { minSeq });
    const roles = new Map(rows.map((r) => [r.projectId, r.role]));
    if ((this.generation.get(userId) ?? 0) === gen) {
      if (this.cache.size >= MAX_USERS) this.cache.clear();
      this.cache.set(userId, { roles, until: Date.now() + TTL_MS });
      if (this.fresh.get(userId) === minSeq) this.fresh.delete(userId);
    }
    return roles;
  }

  /** What the user may do in the project: 'admin' for admins, null when it is not a member. */
  async roleIn(principal: Principal, projectId: string): Promise<Role | null> {
    if (principal.role === 'admin') return 'admin';
    return effectiveProjectRole(principal.role, (await this.rolesOf(principal.userId)).get(projectId));
  }

  /** The projects the user may see: every one for an admin. */
  async visibleProjects(principal: Principal): Promise<'all' | string[]> {
    if (principal.role === 'admin') return 'all';
    return [...(await this.rolesOf(principal.userId)).keys()];
  }

  /** A membership of `userId` in `projectId` changed at stream sequence `seq` (seen in the log, or written through this gateway). */
  changed(userId: string, projectId: string, seq: number): void {
    this.cache.delete(userId);
    this.generation.set(userId, (this.generation.get(userId) ?? 0) + 1);
    this.fresh.set(userId, Math.max(seq, this.fresh.get(userId) ?? 0));
    for (const listener of this.listeners) listener(userId, projectId);
  }

  /** Every event of the log, in order: membership facts (and a project's creation, which makes its creator a member) drop the user's entry. */
  observe(e: RecordedEvent): void {
    if (e.aggregate.type !== 'project') return;
    if (e.type === 'project.created' && e.actor.kind === 'user') this.changed(e.actor.id, e.aggregate.id, e.position.seq);
    else if (e.type === 'project.member_added' || e.type === 'project.member_role_changed' || e.type === 'project.member_removed') {
      const userId = (e.data as { userId?: unknown }).userId;
      if (typeof userId === 'string') this.changed(userId, e.aggregate.id, e.position.seq);
    }
  }

  /** Called after each change (the live layer takes a removed member out of the project's rooms). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
