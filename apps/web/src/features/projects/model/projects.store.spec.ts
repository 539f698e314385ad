import type { ProjectView } from '../../../api/types';
import { initialProjectsState, projectsReducer, upsertProject, type ProjectsAction, type ProjectsState } from './projects.store';

const project = (id: string, name: string): ProjectView => ({
  id,
  name,
  repository: { location: `/srv/${name}`, defaultBranch: 'main' },
  concurrencyLimit: null,
  envKeys: [],
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const page = (items: ProjectView[], total = items.length, offset = 0) => ({ items, total, limit: 50, offset });

describe(projectsReducer.name, () => {
  const given = (actions: ProjectsAction[], from: ProjectsState = initialProjectsState()) => actions.reduce(projectsReducer, from);

  it('shows the page a load answered', () => {
    const sut = given([
      { type: 'load_started', loadId: 1, offset: 0 },
      { type: 'load_succeeded', loadId: 1, page: page([project('a', 'alpha')], 7) },
    ]);
    expect(sut).toMatchObject({ status: 'ready', total: 7, error: null, items: [{ id: 'a' }] });
  });

  it('drops the answer to a load that a newer one replaced', () => {
    const sut = given([
      { type: 'load_started', loadId: 1, offset: 0 },
      { type: 'load_started', loadId: 2, offset: 50 },
      { type: 'load_succeeded', loadId: 1, page: page([project('old', 'old')]) },
      { type: 'load_failed', loadId: 1, error: 'late' },
    ]);
    expect(sut).toMatchObject({ status: 'loading', items: [], error: null });
    expect(given([{ type: 'load_succeeded', loadId: 2, page: page([project('p2', 'p2')], 60, 50) }], sut)).toMatchObject({ offset: 50, total: 60 });
  });

  it('fails a first load, but keeps rows already shown under a later failure', () => {
    expect(given([{ type: 'load_started', loadId: 1, offset: 0 }, { type: 'load_failed', loadId: 1, error: 'down' }])).toMatchObject({ status: 'error', error: 'down' });
    const sut = given([
      { type: 'load_started', loadId: 1, offset: 0 },
      { type: 'load_succeeded', loadId: 1, page: page([project('a', 'alpha')]) },
      { type: 'load_started', loadId: 2, offset: 0 },
      { type: 'load_failed', loadId: 2, error: 'down' },
    ]);
    expect(sut).toMatchObject({ status: 'ready', error: 'down', items: [{ id: 'a' }] });
  });

  it('puts a created project in its place, counts it once and marks it', () => {
    const loaded = given([
      { type: 'load_started', loadId: 1, offset: 0 },
      { type: 'load_succeeded', loadId: 1, page: page([project('a', 'alpha'), project('c', 'gamma')]) },
    ]);
    const sut = given([{ type: 'project_created', project: project('b', 'beta') }, { type: 'project_created', project: project('b', 'beta') }], loaded);
    expect(sut.items.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(sut.total).toBe(3);
    expect(sut.highlightId).toBe('b');
    expect(given([{ type: 'highlight_cleared' }], sut).highlightId).toBeNull();
  });

  it('shows a project created while the first load was still on its way', () => {
    const sut = given([{ type: 'load_started', loadId: 1, offset: 0 }, { type: 'project_created', project: project('n', 'new') }]);
    expect(sut).toMatchObject({ status: 'ready', total: 1, items: [{ id: 'n' }] });
  });
});

describe(upsertProject.name, () => {
  it('replaces an older copy and keeps the API order (name, then id)', () => {
    const items = [project('1', 'a'), project('2', 'b'), project('3', 'b')];
    expect(upsertProject(items, { ...project('2', 'b'), concurrencyLimit: 3 }).map((p) => [p.id, p.concurrencyLimit])).toEqual([
      ['1', null],
      ['2', 3],
      ['3', null],
    ]);
    expect(upsertProject(items, project('0', 'b')).map((p) => p.id)).toEqual(['1', '0', '2', '3']);
    expect(upsertProject([], project('x', 'x')).map((p) => p.id)).toEqual(['x']);
  });
});
