import {
  DomainError,
  autopilotCommands,
  isAutopilotEvent,
  isProjectMembershipEvent,
  isTaskGraphEvent,
  projectMembershipCommands,
  taskGraphCommands,
  type AutopilotEvent,
  type Decider,
  type NewEvent,
  type ProjectEvent,
  type ProjectMembershipEvent,
  type TaskGraphEvent,
} from '@baton/events';
import { decideAutopilot, isAutopilotCommand, type AutopilotCommand } from '../autopilot/autopilot.decide';
import { evolveAutopilot, initialAutopilot, type AutopilotState } from '../autopilot/autopilot.state';
import { decideMembership, evolveMembers, initialMembers, isMembershipCommand, type MembersState, type MembershipCommand } from '../project-membership/membership.decide';
import { projectDecider, type ProjectCommand, type ProjectState } from '../project/project.decider';
import { decideTaskGraph, isTaskGraphCommand, type TaskGraphCommand } from './task-graph.decider';
import { evolveGraph, initialGraph, type GraphState } from './task-graph.state';

export interface ProjectAggregateState {
  project: ProjectState;
  graph: GraphState;
  autopilot: AutopilotState;
  /** Who may see and act on the project (docs/decisions/0023). */
  members: MembersState;
}

export type ProjectAggregateCommand = ProjectCommand | TaskGraphCommand | AutopilotCommand | MembershipCommand;
export type ProjectAggregateEvent = ProjectEvent | TaskGraphEvent | AutopilotEvent | ProjectMembershipEvent;

/**
 * The project's subject holds two kinds of facts: the project's own settings and its
 * task graph. One decider per subject (the command processor caches state per
 * aggregate), so this one composes the project decider with the task-graph rules and
 * replaces `projectDecider` in the service definition.
 */
export const projectAggregateDecider: Decider<ProjectAggregateState, ProjectAggregateCommand, ProjectAggregateEvent> = {
  aggregate: 'project',
  commands: [...projectDecider.commands, ...taskGraphCommands, ...autopilotCommands, ...projectMembershipCommands],
  aggregateIdOf: (c) => c.data.projectId,
  initialState: () => ({ project: projectDecider.initialState(), graph: initialGraph(), autopilot: initialAutopilot(), members: initialMembers() }),

  decide(command, state): NewEvent[] {
    if (isTaskGraphCommand(command)) return decideTaskGraph(command, state.project, state.graph);
    if (isAutopilotCommand(command)) return decideAutopilot(command, state.project, state.graph, state.autopilot);
    if (isMembershipCommand(command)) return decideMembership(command, state.project, state.members);
    if (command.type === 'project.delete') {
      // Work in flight is never deleted from under an agent: finish or abandon it first.
      const active = [...state.graph.tasks.values()].filter((t) => t.activeAttemptId).map((t) => t.activeAttemptId as string);
      if (active.length) {
        throw new DomainError('invalid_state', `project ${command.data.projectId} has ${active.length} active attempt(s); finish or abandon them first`, {
          activeAttempts: active,
        });
      }
    }
    return projectDecider.decide(command, state.project);
  },

  evolve(state, event): ProjectAggregateState {
    if (isTaskGraphEvent(event)) return { ...state, graph: evolveGraph(state.graph, event) };
    if (isAutopilotEvent(event)) return { ...state, autopilot: evolveAutopilot(state.autopilot, event) };
    if (isProjectMembershipEvent(event)) return { ...state, members: evolveMembers(state.members, event) };
    const project = projectDecider.evolve(state.project, event);
    return event.type === 'project.created' ? { ...state, project, members: evolveMembers(state.members, event) } : { ...state, project };
  },
};
