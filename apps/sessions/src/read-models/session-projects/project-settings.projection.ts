import type { Projection } from '@baton/projections';
import { ProjectSettingsRowEntity, type ProjectSettingsRow } from './project-settings-row.entity';

/** The sessions service's own copy of project settings, folded from the log (services never read each other's tables). */
export const projectSettingsProjection: Projection<ProjectSettingsRow> = {
  name: 'session_projects',
  version: 1,
  entity: ProjectSettingsRowEntity,
  keysOf: (event) => (event.aggregate.type === 'project' && !event.type.startsWith('project.task_') ? [event.aggregate.id] : []),
  evolve(row, event, id) {
    const touch = (r: ProjectSettingsRow): ProjectSettingsRow => ({ ...r, lastSeq: event.position.seq });
    switch (event.type) {
      case 'project.created': {
        const d = event.data;
        return touch({
          id,
          name: d.name,
          repositoryLocation: d.repository.location,
          defaultBranch: d.repository.defaultBranch,
          concurrencyLimit: d.concurrencyLimit,
          env: d.env,
          startupSequence: [],
          shutdownSequence: [],
          status: 'active',
          lastSeq: 0,
        });
      }
      case 'project.renamed':
        return row && touch({ ...row, name: event.data.name });
      case 'project.settings_changed': {
        if (!row) return row;
        const d = event.data;
        return touch({
          ...row,
          ...(d.repository ? { repositoryLocation: d.repository.location, defaultBranch: d.repository.defaultBranch } : {}),
          ...(d.concurrencyLimit !== undefined ? { concurrencyLimit: d.concurrencyLimit } : {}),
          ...(d.env ? { env: d.env } : {}),
          ...(d.startupSequence ? { startupSequence: d.startupSequence } : {}),
          ...(d.shutdownSequence ? { shutdownSequence: d.shutdownSequence } : {}),
        });
      }
      case 'project.archived':
        return row && touch({ ...row, status: 'archived' });
      case 'project.unarchived':
        return row && touch({ ...row, status: 'active' });
      case 'project.deleted':
        return null;
      default:
        return row;
    }
  },
};
