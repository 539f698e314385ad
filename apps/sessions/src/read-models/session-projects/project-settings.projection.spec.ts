import { ProjectCreated, ProjectDeleted, ProjectSettingsChanged, TaskAdded, type DomainEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { ProjectSettingsRow } from './project-settings-row.entity';
import { projectSettingsProjection } from './project-settings.projection';

const P = { type: 'project' as const, id: 'p1' };
const at = (seq: number, e: { type: string; data: unknown }) => ({ ...recorded(P, e as never), position: { seq } }) as unknown as RecordedEvent<DomainEvent>;

describe('projectSettingsProjection', () => {
  it('keeps what sessions need of a project: limit, sequences, env, repository', () => {
    const rows = new Map<string, ProjectSettingsRow | null>();
    foldAfter(projectSettingsProjection, rows, 0, [
      at(1, ProjectCreated({ name: 'Web', repository: { location: '/srv/web', defaultBranch: 'main' }, concurrencyLimit: 3, env: { A: '1' } })),
      at(2, ProjectSettingsChanged({ startupSequence: ['db', 'api'], shutdownSequence: ['api'], concurrencyLimit: null })),
      at(3, TaskAdded({ taskId: 't1', number: 1, parentId: null, dependsOn: [], title: 'x', description: '', acceptanceCriteria: [], priority: 2, labels: [], executionMode: 'interactive' })),
    ]);
    expect(rows.get('p1')).toEqual({
      id: 'p1',
      name: 'Web',
      repositoryLocation: '/srv/web',
      defaultBranch: 'main',
      concurrencyLimit: null,
      env: { A: '1' },
      startupSequence: ['db', 'api'],
      shutdownSequence: ['api'],
      status: 'active',
      lastSeq: 2,
    });
    foldAfter(projectSettingsProjection, rows, 3, [at(4, ProjectDeleted({}))]);
    expect(rows.get('p1')).toBeNull();
  });
});
