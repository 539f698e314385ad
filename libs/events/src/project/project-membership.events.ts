import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';

/*
 * Who may see and act on a project (docs/decisions/0023). Facts on the project's own subject,
 * `project.<id>`, beside its settings and task graph. A project's creator (a user: the actor of
 * `project.created`) is its first operator member without an event of its own, for projects
 * created before membership existed too.
 */

/** A user's role in one project; the user's global role still caps it (an admin's does not matter here). */
export const ProjectRoleSchema = z.enum(['viewer', 'operator']);
export type ProjectRole = z.infer<typeof ProjectRoleSchema>;

export const ProjectMemberAdded = defineEvent({
  type: 'project.member_added',
  aggregate: 'project',
  schema: z.object({ userId: IdSchema, role: ProjectRoleSchema }),
});

export const ProjectMemberRoleChanged = defineEvent({
  type: 'project.member_role_changed',
  aggregate: 'project',
  schema: z.object({ userId: IdSchema, from: ProjectRoleSchema, to: ProjectRoleSchema }),
});

export const ProjectMemberRemoved = defineEvent({
  type: 'project.member_removed',
  aggregate: 'project',
  schema: z.object({ userId: IdSchema, role: ProjectRoleSchema }),
});

export const projectMembershipEvents = [ProjectMemberAdded, ProjectMemberRoleChanged, ProjectMemberRemoved] as const;

export type ProjectMembershipEvent = EventOf<typeof ProjectMemberAdded> | EventOf<typeof ProjectMemberRoleChanged> | EventOf<typeof ProjectMemberRemoved>;

const MEMBERSHIP_EVENT_TYPES = new Set<string>(projectMembershipEvents.map((e) => e.type));
export function isProjectMembershipEvent(e: { type: string }): e is ProjectMembershipEvent {
  return MEMBERSHIP_EVENT_TYPES.has(e.type);
}
