import { api, command, read } from '../../../api/http';
import type { MemberView } from '@baton/contracts';

export type ProjectRole = MemberView['role'];
export type { MemberView };

export interface UserSummary {
  id: string;
  name: string;
  role: MemberView['userRole'];
}

/** A project's members (docs/decisions/0023): members read them, admins change them. */
export const membersApi = {
  list: (projectId: string, signal?: AbortSignal) => read<MemberView[]>(api`/api/projects/${projectId}/members`, {}, signal),
  add: (projectId: string, userId: string, role: ProjectRole) => command('POST', api`/api/projects/${projectId}/members`, { userId, role }),
  changeRole: (projectId: string, userId: string, role: ProjectRole) => command('PATCH', api`/api/projects/${projectId}/members/${userId}`, { role }),
  remove: (projectId: string, userId: string) => command('DELETE', api`/api/projects/${projectId}/members/${userId}`),
  /** Everyone who could be added (admins only may list users). */
  users: (signal?: AbortSignal) => read<UserSummary[]>('/api/users', {}, signal),
};

/** Users not yet members, by name: the choices of the add form. */
export function candidates(users: readonly UserSummary[], members: readonly MemberView[]): UserSummary[] {
  const taken = new Set(members.map((m) => m.userId));
  return users.filter((u) => !taken.has(u.id)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
