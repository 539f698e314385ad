import { matchRoute, projectPath, redirectFor, sectionOf } from './routes';

describe(matchRoute.name, () => {
  it.each([
    ['/projects', { name: 'projects' }],
    ['/projects/', { name: 'projects' }],
    ['/projects/01JABCD', { name: 'project', id: '01JABCD', tab: 'overview', sub: null }],
    ['/projects/P/board', { name: 'project', id: 'P', tab: 'board', sub: null }],
    ['/projects/P/tasks', { name: 'project', id: 'P', tab: 'tasks', sub: null }],
    ['/projects/P/tasks/T1', { name: 'project', id: 'P', tab: 'task', sub: 'T1' }],
    ['/projects/P/sessions/S1', { name: 'project', id: 'P', tab: 'session', sub: 'S1' }],
    ['/projects/P/replay/S1', { name: 'project', id: 'P', tab: 'replay', sub: 'S1' }],
    ['/projects/P/review/A1', { name: 'project', id: 'P', tab: 'review', sub: 'A1' }],
    ['/fleet', { name: 'fleet' }],
    ['/inbox', { name: 'inbox' }],
    ['/inbox/x', { name: 'not_found', path: '/inbox/x' }],
    ['/notifications', { name: 'notifications' }],
    ['/notifications/x', { name: 'not_found', path: '/notifications/x' }],
    ['/projects/P/graph/x', { name: 'not_found', path: '/projects/P/graph/x' }],
    ['/projects/a/b', { name: 'not_found', path: '/projects/a/b' }],
    ['/projects/a/tasks/b/c', { name: 'not_found', path: '/projects/a/tasks/b/c' }],
    ['/nope', { name: 'not_found', path: '/nope' }],
    ['/projects/%E0%A4%A', { name: 'not_found', path: '/projects/%E0%A4%A' }],
  ])('matches %s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it('round-trips ids through their path', () => {
    expect(matchRoute(projectPath('a b/c'))).toEqual({ name: 'project', id: 'a b/c', tab: 'overview', sub: null });
    expect(matchRoute(projectPath('p', 'sessions', 's/1'))).toEqual({ name: 'project', id: 'p', tab: 'session', sub: 's/1' });
  });
});

describe(redirectFor.name, () => {
  it('sends the root to the projects list', () => {
    expect(redirectFor('/')).toBe('/projects');
    expect(redirectFor('/projects')).toBeNull();
  });
});

describe(sectionOf.name, () => {
  it('lights the Projects entry on a project page', () => {
    expect(sectionOf({ name: 'project', id: 'x', tab: 'board', sub: null })).toBe('projects');
    expect(sectionOf({ name: 'not_found', path: '/x' })).toBeNull();
  });
});
