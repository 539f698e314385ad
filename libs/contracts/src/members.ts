import { z } from 'zod';
import { IdSchema, ProjectRoleSchema, RoleSchema, type ProjectRole, type Role } from '@baton/events';
import { MinSeq } from './common';

/*
 * Project membership (docs/decisions/0023): a user sees and acts on the projects it is a
 * member of, with its role there; admins see every project. Shared by gateway, CLI and web.
 */

export const AddMemberRequest = z.strictObject({ userId: IdSchema, role: ProjectRoleSchema });
export const ChangeMemberRoleRequest = z.strictObject({ role: ProjectRoleSchema });
export const MemberParams = z.strictObject({ id: IdSchema, userId: IdSchema });
export const MembersQuery = z.strictObject({ minSeq: MinSeq });

export const MemberView = z.strictObject({
  userId: z.string(),
  name: z.string(),
  role: ProjectRoleSchema.describe('The role in this project.'),
  userRole: RoleSchema.describe("The user's own (global) role: the ceiling of what it may do anywhere."),
  effectiveRole: RoleSchema.describe('What the user may do in this project: admin for admins, else the lower of its two roles.'),
  addedAt: z.string(),
});
export type MemberView = z.output<typeof MemberView>;
export const MemberList = z.array(MemberView);

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * What a user may do in one project: admins everything; anyone else needs membership (null:
 * none, the project is invisible to it), and then the lower of its global and project roles.
 */
export function effectiveProjectRole(userRole: Role, projectRole: ProjectRole | null | undefined): Role | null {
  if (userRole === 'admin') return 'admin';
  if (!projectRole) return null;
  return RANK[projectRole] < RANK[userRole] ? projectRole : userRole;
}

/** Whether `role` is at least `needed`. */
export function roleAtLeast(role: Role | null, needed: Role): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}
