import { ProjectArchived, ProjectCreated, ProjectDeleted, ProjectRenamed, ProjectSettingsChanged, ProjectUnarchived } from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import { projectDecider, type ProjectCommand } from './project.decider';

const p1 = { type: 'project' as const, id: 'p1' };
const repo = { location: '/srv/web', defaultBranch: 'main' };
const created = recorded(p1, ProjectCreated({ name: 'Web', repository: repo, concurrencyLimit: null, env: {} }));
const create = command('project.create', { projectId: 'p1', name: 'Web', repository: repo, concurrencyLimit: 3, env: { A: '1' } }) as ProjectCommand;
const rename = (name: string) => command('project.rename', { projectId: 'p1', name }) as ProjectCommand;
const archive = command('project.archive', { projectId: 'p1' }) as ProjectCommand;

describe('projectDecider', () => {
  const sut = deciderSpec(projectDecider);

  it('creates a project that does not exist yet', () => {
    sut.given([]).when(create).then([ProjectCreated({ name: 'Web', repository: repo, concurrencyLimit: 3, env: { A: '1' } })]);
  });

  it('refuses to create a project twice', () => {
    sut.given([created]).when(create).thenThrows('conflict', /already exists/);
  });

  it('renames, remembering the previous name', () => {
    sut.given([created]).when(rename('Web 2')).then([ProjectRenamed({ name: 'Web 2', previousName: 'Web' })]);
  });

  it('emits nothing when the name does not change', () => {
    sut.given([created]).when(rename('Web')).then([]);
  });

  it('refuses to rename a project that does not exist', () => {
    sut.given([]).when(rename('X')).thenThrows('not_found');
  });

  it('archives once; archiving again changes nothing', () => {
    sut.given([created]).when(archive).then([ProjectArchived({})]);
    sut.given([created, recorded(p1, ProjectArchived({}))]).when(archive).then([]);
  });

  it('upcast history folds the same as current history', () => {
    const state = [created, recorded(p1, ProjectRenamed({ name: 'Web 2', previousName: 'Web' }))].reduce(projectDecider.evolve, projectDecider.initialState());
    expect(state).toMatchObject({ status: 'active', name: 'Web 2', repository: repo });
  });
});

describe('projectDecider settings, unarchive and delete', () => {
  const sut = deciderSpec(projectDecider);
  const settings = (data: object) => command('project.change_settings', { projectId: 'p1', ...data }) as ProjectCommand;

  it('records changed settings', () => {
    sut.given([created]).when(settings({ concurrencyLimit: 5, startupSequence: ['tpl1'] })).then([
      ProjectSettingsChanged({ concurrencyLimit: 5, startupSequence: ['tpl1'] }),
    ]);
  });

  it('unarchives only an archived project', () => {
    const unarchive = command('project.unarchive', { projectId: 'p1' }) as ProjectCommand;
    sut.given([created]).when(unarchive).then([]);
    sut.given([created, recorded(p1, ProjectArchived({}))]).when(unarchive).then([ProjectUnarchived({})]);
  });

  it('deletes, after which the project no longer exists', () => {
    const del = command('project.delete', { projectId: 'p1' }) as ProjectCommand;
    sut.given([created]).when(del).then([ProjectDeleted({})]);
    sut.given([created, recorded(p1, ProjectDeleted({}))]).when(rename('again')).thenThrows('not_found');
  });
});
