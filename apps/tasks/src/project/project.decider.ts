import {
  ArchiveProject,
  ChangeProjectSettings,
  CreateProject,
  DeleteProject,
  ProjectDeleted,
  ProjectSettingsChanged,
  ProjectUnarchived,
  UnarchiveProject,
  DomainError,
  ProjectArchived,
  ProjectCreated,
  ProjectRenamed,
  RenameProject,
  type CommandOf,
  type Decider,
  type NewEvent,
  type ProjectEvent,
  type Repository,
} from '@baton/events';

export type ProjectState =
  | { status: 'absent' }
  | {
      status: 'active' | 'archived' | 'deleted';
      name: string;
      repository: Repository;
      concurrencyLimit: number | null;
      env: Record<string, string>;
      startupSequence: string[];
      shutdownSequence: string[];
    };

export type ProjectCommand =
  | CommandOf<typeof CreateProject>
  | CommandOf<typeof RenameProject>
  | CommandOf<typeof ArchiveProject>
  | CommandOf<typeof ChangeProjectSettings>
  | CommandOf<typeof UnarchiveProject>
  | CommandOf<typeof DeleteProject>;

function existing(state: ProjectState, id: string): Exclude<ProjectState, { status: 'absent' }> {
  if (state.status === 'absent' || state.status === 'deleted') throw new DomainError('not_found', `project ${id} does not exist`, { projectId: id });
  return state;
}

export const projectDecider: Decider<ProjectState, ProjectCommand, ProjectEvent> = {
  aggregate: 'project',
  commands: [CreateProject, RenameProject, ArchiveProject, ChangeProjectSettings, UnarchiveProject, DeleteProject],
  aggregateIdOf: (c) => c.data.projectId,
  initialState: () => ({ status: 'absent' }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'project.create': {
        if (state.status !== 'absent') {
          throw new DomainError('conflict', `project ${command.data.projectId} already exists`, { projectId: command.data.projectId });
        }
        const { name, repository, concurrencyLimit, env } = command.data;
        return [ProjectCreated({ name, repository, concurrencyLimit, env })];
      }
      case 'project.rename': {
        const project = existing(state, command.data.projectId);
        if (project.name === command.data.name) return [];
        return [ProjectRenamed({ name: command.data.name, previousName: project.name })];
      }
      case 'project.archive': {
        const project = existing(state, command.data.projectId);
        return project.status === 'archived' ? [] : [ProjectArchived({})];
      }
      case 'project.unarchive': {
        const project = existing(state, command.data.projectId);
        return project.status === 'archived' ? [ProjectUnarchived({})] : [];
      }
      case 'project.change_settings': {
        existing(state, command.data.projectId);
        const { projectId: _id, ...changes } = command.data;
        return [ProjectSettingsChanged(changes)];
      }
      case 'project.delete': {
        existing(state, command.data.projectId);
        return [ProjectDeleted({})];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): ProjectState {
    switch (event.type) {
      case 'project.created':
        return { status: 'active', ...event.data, startupSequence: [], shutdownSequence: [] };
      case 'project.renamed':
        return state.status === 'absent' ? state : { ...state, name: event.data.name };
      case 'project.settings_changed': {
        if (state.status === 'absent') return state;
        const { repository, concurrencyLimit, env, startupSequence, shutdownSequence } = event.data;
        return {
          ...state,
          ...(repository ? { repository } : {}),
          ...(concurrencyLimit !== undefined ? { concurrencyLimit } : {}),
          ...(env ? { env } : {}),
          ...(startupSequence ? { startupSequence } : {}),
          ...(shutdownSequence ? { shutdownSequence } : {}),
        };
      }
      case 'project.archived':
        return state.status === 'absent' ? state : { ...state, status: 'archived' };
      case 'project.unarchived':
        return state.status === 'absent' ? state : { ...state, status: 'active' };
      case 'project.deleted':
        return state.status === 'absent' ? state : { ...state, status: 'deleted' };
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};
