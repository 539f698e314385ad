import type { Projection } from '@baton/projections';
import type { ProjectRow } from './project-row.entity';
import { ProjectRowEntity } from './project-row.entity';

/** One row per project: what lists and detail pages show. */
export const projectsProjection: Projection<ProjectRow> = {
  name: 'projects',
  version: 1,
  entity: ProjectRowEntity,
  // The project subject also carries its task graph (project.task_*): not this row's business.
  keysOf: (event) => (event.aggregate.type === 'project' && !event.type.startsWith('project.task_') ? [event.aggregate.id] : []),
  evolve(row, event, id) {
    const touch = (r: ProjectRow): ProjectRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'project.created':
        return {
          id,
          name: event.data.name,
          repositoryLocation: event.data.repository.location,
          defaultBranch: event.data.repository.defaultBranch,
          concurrencyLimit: event.data.concurrencyLimit,
          env: event.data.env,
          status: 'active',
          createdAt: event.occurredAt,
          updatedAt: event.occurredAt,
          eventCount: 1,
          lastSeq: event.position.seq,
        };
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
