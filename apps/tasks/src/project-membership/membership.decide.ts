import {
  AddProjectMember,
  ChangeProjectMemberRole,
  DomainError,
  ProjectMemberAdded,
  ProjectMemberRemoved,
  ProjectMemberRoleChanged,
  RemoveProjectMember,
  isProjectMembershipCommandType,
  type CommandEnvelope,
  type CommandOf,
  type EventEnvelope,
  type NewEvent,
  type ProjectRole,
} from '@baton/events';
import type { ProjectState } from '../project/project.decider';

/** userId → its role in the project (docs/decisions/0023). */
export interface MembersState {
  members: ReadonlyMap<string, ProjectRole>;
}

export type MembershipCommand = CommandOf<typeof AddProjectMember> | CommandOf<typeof ChangeProjectMemberRole> | CommandOf<typeof RemoveProjectMember>;

export const initialMembers = (): MembersState => ({ members: new Map() });

export function isMembershipCommand(c: CommandEnvelope & { type: string }): c is MembershipCommand {
  return isProjectMembershipCommandType(c.type);
}

function notMember(projectId: string, userId: string): DomainError {
  return new DomainError('not_found', `user ${userId} is not a member of project ${projectId}`, { projectId, userId });
}

/** Pure: who is a member is the project's fact; whether the user exists was checked at the edge (users are never deleted). */
export function decideMembership(command: MembershipCommand, project: ProjectState, state: MembersState): NewEvent[] {
  const { projectId, userId } = command.data;
  if (project.status === 'absent' || project.status === 'deleted') throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
  const current = state.members.get(userId);
  switch (command.type) {
    case 'project.add_member': {
      const { role } = command.data;
      if (current === role) return [];
      if (current) {
        throw new DomainError('conflict', `user ${userId} is already a ${current} of project ${projectId}; change the member's role instead`, { projectId, userId, role: current });
      }
      return [ProjectMemberAdded({ userId, role })];
    }
    case 'project.change_member_role': {
      const { role } = command.data;
      if (!current) throw notMember(projectId, userId);
      return current === role ? [] : [ProjectMemberRoleChanged({ userId, from: current, to: role })];
    }
    case 'project.remove_member':
      if (!current) throw notMember(projectId, userId);
      return [ProjectMemberRemoved({ userId, role: current })];
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/**
 * Folds the project's events that say who is a member. The creator of the project (a user, the
 * actor of `project.created`) is its first operator: no event of its own, so projects created
 * before membership existed keep their creator's access.
 */
export function evolveMembers(state: MembersState, event: EventEnvelope): MembersState {
  const d = event.data as { userId?: string; role?: ProjectRole; to?: ProjectRole };
  const next = (f: (m: Map<string, ProjectRole>) => void): MembersState => {
    const members = new Map(state.members);
    f(members);
    return { members };
  };
  switch (event.type) {
    case 'project.created':
      return event.actor.kind === 'user' ? next((m) => m.set(event.actor.id, 'operator')) : state;
    case 'project.member_added':
      return next((m) => m.set(d.userId!, d.role!));
    case 'project.member_role_changed':
      return next((m) => m.set(d.userId!, d.to!));
    case 'project.member_removed':
      return next((m) => m.delete(d.userId!));
    default:
      return state;
  }
}
