import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { ProjectRoleSchema } from './project-membership.events';

/* Membership of a project (docs/decisions/0023): sent by admins; decided on `project.<id>`. */

const member = { projectId: IdSchema, userId: IdSchema };

/** Adds a member; the same role again changes nothing, another role is a conflict (change it instead). */
export const AddProjectMember = defineCommand({
  type: 'project.add_member',
  service: 'tasks',
  schema: z.strictObject({ ...member, role: ProjectRoleSchema }),
});

export const ChangeProjectMemberRole = defineCommand({
  type: 'project.change_member_role',
  service: 'tasks',
  schema: z.strictObject({ ...member, role: ProjectRoleSchema }),
});

export const RemoveProjectMember = defineCommand({
  type: 'project.remove_member',
  service: 'tasks',
  schema: z.strictObject(member),
});

export const projectMembershipCommands = [AddProjectMember, ChangeProjectMemberRole, RemoveProjectMember] as const;
const MEMBERSHIP_COMMAND_TYPES = new Set<string>(projectMembershipCommands.map((c) => c.type));
export function isProjectMembershipCommandType(type: string): boolean {
  return MEMBERSHIP_COMMAND_TYPES.has(type);
}
