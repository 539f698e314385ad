import { ALL_ROUTES } from '../openapi/registry';
import { ROUTE_SCOPES } from './route-scopes';

describe('ROUTE_SCOPES', () => {
  it('says how every route that needs a token is scoped to projects, and names no route that does not exist', () => {
    const guarded = ALL_ROUTES.filter((r) => !r.public).map((r) => r.operationId);
    expect(guarded.filter((id) => !(id in ROUTE_SCOPES))).toEqual([]);
    expect(Object.keys(ROUTE_SCOPES).filter((id) => !guarded.includes(id))).toEqual([]);
  });

  it('resolves a route that names a project, task or session to it, and a template body without a project to the installation', () => {
    const input = (over: object) => ({ params: {}, query: {}, body: undefined, ...over });
    const targets = (op: string, over: object) => {
      const scope = ROUTE_SCOPES[op];
      return scope.kind === 'installation' ? 'installation' : scope.targets(input(over));
    };
    expect(targets('createTask', { params: { projectId: 'p1' } })).toEqual([{ what: 'project', id: 'p1' }]);
    expect(targets('editTask', { params: { id: 't1' } })).toEqual([{ what: 'task', id: 't1' }]);
    expect(targets('stopSession', { params: { id: 's1' } })).toEqual([{ what: 'session', id: 's1' }]);
    expect(targets('defineSessionTemplate', { body: { projectId: null } })).toEqual([{ what: 'installation-wide' }]);
    expect(targets('defineSessionTemplate', { body: { projectId: 'p1' } })).toEqual([{ what: 'project', id: 'p1' }]);
    expect(targets('renderPrompt', { params: { id: 'v1' }, body: { taskId: 't1' } })).toEqual([
      { what: 'prompt version', id: 'v1' },
      { what: 'task', id: 't1' },
    ]);
    expect(targets('listSessions', {})).toEqual([]);
    expect(targets('listSessions', { query: { projectId: 'p1' } })).toEqual([{ what: 'project', id: 'p1' }]);
    expect(targets('createProject', {})).toBe('installation');
  });
});
