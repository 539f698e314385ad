import { CommandAccepted, MemberList } from '@baton/contracts';
import { errorOf, type Answer } from '../openapi/__tests__/api-harness';
import { validBodies } from '../openapi/__tests__/valid-bodies';
import { startSessionsApi, type SessionsApi } from '../sessions/__tests__/sessions-api';
import { ROUTE_SCOPES } from './route-scopes';

interface Operation {
  operationId: string;
  parameters?: { name?: string; in?: string }[];
  requestBody?: { required: boolean };
  security?: unknown[];
}
type Document = { paths: Record<string, Record<string, Operation>> };
interface User {
  id: string;
  token: string;
}

const HIDDEN = /does not exist, or (is not in a project you are a member of|you are not one of its members)/;

/**
 * Project membership (docs/decisions/0023) through the real tasks and sessions services and
 * gateway: the REST authz matrix over every route the gateway documents, for callers who are
 * not members, members who only view, members whose own role is viewer, and members who operate.
 */
describe('project membership at every REST route', () => {
  let api: SessionsApi;
  let ops: { method: string; path: string; op: Operation }[];
  const ids: Record<string, string> = {};
  let outsider: User;
  let pViewer: User;
  let pOperator: User;
  let gViewer: User;

  const createUser = async (name: string, role: 'viewer' | 'operator'): Promise<User> => {
    const res = await api.call<{ id: string; token: string }>('POST', '/api/users', { name, role });
    if (res.status !== 201) throw new Error(res.text);
    return res.body;
  };
  const addMember = (userId: string, role: 'viewer' | 'operator', projectId = ids.project) => api.accepted('POST', `/api/projects/${projectId}/members`, { userId, role }, 201);

  beforeAll(async () => {
    api = await startSessionsApi();
    const doc = (await api.call<Document>('GET', '/api/docs-json')).body;
    ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
    ids.project = await api.project('Members');
    ids.task = (await api.accepted('POST', `/api/projects/${ids.project}/tasks`, { title: 'A task' }, 201)).id;
    ids.task2 = (await api.accepted('POST', `/api/projects/${ids.project}/tasks`, { title: 'Another' }, 201)).id;
    ids.attempt = (await api.accepted('POST', `/api/tasks/${ids.task}/attempts?minSeq=${api.seq}`, {}, 201)).id;
    ids.session = (await api.accepted('POST', `/api/projects/${ids.project}/sessions?minSeq=${api.seq}`, { templateId: 'shell' }, 201)).id;
    ids.sessionTemplate = (await api.accepted('POST', `/api/session-templates?minSeq=${api.seq}`, { projectId: ids.project, spec: { name: 'own', argv: ['true'] } }, 201)).id;
    const prompt = await api.call<{ id: string; versionId: string }>('POST', '/api/prompt-templates', { projectId: ids.project, name: 'P', body: 'Do {{task.title}}' });
    ids.promptTemplate = prompt.body.id;
    ids.promptVersion = prompt.body.versionId;
    [outsider, pViewer, pOperator, gViewer] = await Promise.all([
      createUser('Outsider', 'operator'),
      createUser('Project viewer', 'operator'),
      createUser('Project operator', 'operator'),
      createUser('Viewer everywhere', 'viewer'),
    ]);
    await addMember(pViewer.id, 'viewer');
    await addMember(pOperator.id, 'operator');
    await addMember(gViewer.id, 'operator');
    // Every id readable everywhere before the matrix runs.
    await api.call('GET', `/api/sessions/${ids.session}?minSeq=${api.seq}`);
  }, 120_000);
  afterAll(() => api?.close());

  const bodies = (): Record<string, unknown> =>
    validBodies(
      { userId: outsider.id, dependsOnTaskId: ids.task2, taskId: ids.task },
      {
        defineSessionTemplate: { id: ids.sessionTemplate, projectId: ids.project, spec: { name: 'own', argv: ['false'] } },
        createPromptTemplate: { projectId: ids.project, name: 'x', body: 'b' },
        // A project's channel (a user's own channel is not about a project: the global role decides).
        createNotificationChannel: { name: 'x', format: 'json', url: 'http://127.0.0.1:9/x', secret: 'a-secret-of-16-chars', projectId: ids.project, rules: { kinds: ['failed'] } },
      },
    );

  /** What `:id` names on a route, from its scope. */
  const idFor = (operationId: string): string => {
    const scope = ROUTE_SCOPES[operationId];
    if (scope.kind === 'installation') return 'none';
    const [target] = scope.targets({ params: { id: '?', projectId: '?' }, query: {}, body: {} });
    const what = target && 'id' in target ? target.what : 'project';
    return { project: ids.project, task: ids.task, attempt: ids.attempt, session: ids.session, 'session template': ids.sessionTemplate, 'prompt template': ids.promptTemplate, 'prompt version': ids.promptVersion }[what];
  };
  const request = ({ path, op }: { path: string; op: Operation }) => {
    const url = path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      name === 'projectId' ? ids.project : name === 'userId' ? pViewer.id : name === 'dependsOnId' ? ids.task2 : idFor(op.operationId),
    );
    const takesProject = (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'projectId');
    const body = op.requestBody ? bodies()[op.operationId] : undefined;
    if (op.requestBody?.required && body === undefined) throw new Error(`add a valid body for ${op.operationId}`);
    return { url: takesProject ? `${url}?projectId=${ids.project}` : url, body };
  };
  /** Routes about one project's things (not the installation's: users, runners, docs). */
  const scoped = () => ops.filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0) && ROUTE_SCOPES[op.operationId]?.kind !== 'installation');
  const isWrite = (method: string, op: Operation) => method !== 'GET' && op.operationId !== 'renderPrompt';
  const adminOnly = new Set(['addProjectMember', 'changeProjectMemberRole', 'removeProjectMember']);
  const outcome = (res: Answer) => ({ status: res.status, code: res.status >= 400 ? errorOf(res).code : 'ok', hidden: res.status >= 400 && HIDDEN.test(errorOf(res).message) });

  it('covers every project route, new ones included', () => {
    expect(scoped().length).toBeGreaterThan(80);
    expect(scoped().map((o) => o.op.operationId)).toEqual(expect.arrayContaining(['listProjectMembers', 'addProjectMember', 'getSession', 'renderPrompt', 'exportTaskTree']));
  });

  it('answers a user who is not a member 404 at every project route (403 at admin-only ones), appending nothing', async () => {
    const before = await api.logState();
    const seen: unknown[] = [];
    for (const o of scoped()) {
      const { url, body } = request(o);
      const res = await api.call(o.method, url, body, { token: outsider.token });
      // The project list is narrowed to the user's projects instead (below).
      const expected =
        o.op.operationId === 'listProjects'
          ? { status: 200, code: 'ok', hidden: false }
          : adminOnly.has(o.op.operationId)
            ? { status: 403, code: 'forbidden', hidden: false }
            : { status: 404, code: 'not_found', hidden: true };
      seen.push({ op: o.op.operationId, ...outcome(res) });
      expect({ op: o.op.operationId, ...outcome(res) }).toEqual({ op: o.op.operationId, ...expected });
    }
    expect(seen.length).toBe(scoped().length);
    expect(await api.logState()).toEqual(before);
  });

  it('lets a member who views read exactly what an admin reads, and refuses it every write with 403, appending nothing', async () => {
    const before = await api.logState();
    for (const o of scoped()) {
      const { url, body } = request(o);
      const res = await api.call(o.method, url, body, { token: pViewer.token });
      if (isWrite(o.method, o.op)) {
        expect({ op: o.op.operationId, ...outcome(res) }).toEqual({ op: o.op.operationId, status: 403, code: 'forbidden', hidden: false });
        if (!adminOnly.has(o.op.operationId)) expect(errorOf(res).message).toMatch(/needs the operator role in project .*; you are a viewer there/);
      } else {
        const asAdmin = await api.call(o.method, url, body);
        expect({ op: o.op.operationId, status: res.status, hidden: outcome(res).hidden }).toEqual({ op: o.op.operationId, status: asAdmin.status, hidden: false });
      }
    }
    expect(await api.logState()).toEqual(before);
  });

  it('caps a project operator by its own role: a viewer everywhere reads but sends no command, appending nothing', async () => {
    const before = await api.logState();
    for (const o of scoped().filter(({ method, op }) => isWrite(method, op))) {
      const { url, body } = request(o);
      const res = await api.call(o.method, url, body, { token: gViewer.token });
      expect({ op: o.op.operationId, ...outcome(res) }).toEqual({ op: o.op.operationId, status: 403, code: 'forbidden', hidden: false });
    }
    expect(await api.logState()).toEqual(before);
    expect((await api.call('GET', `/api/tasks/${ids.task}`, undefined, { token: gViewer.token })).status).toBe(200);
  });

  it('lets a member who operates act on the project', async () => {
    const t = pOperator.token;
    const task = await api.accepted('POST', `/api/projects/${ids.project}/tasks`, { title: 'By a member' }, 201, t);
    await api.accepted('PATCH', `/api/tasks/${task.id}?minSeq=${task.seq}`, { title: 'Edited by a member' }, 200, t);
    await api.accepted('POST', `/api/projects/${ids.project}/rename`, { name: 'Members renamed' }, 200, t);
    await api.accepted('POST', `/api/attempts/${ids.attempt}/messages`, { text: 'hello' }, 201, t);
    const s = await api.accepted('POST', `/api/projects/${ids.project}/sessions`, { templateId: 'shell' }, 201, t);
    await api.accepted('POST', `/api/sessions/${s.id}/stop?minSeq=${s.seq}`, {}, 200, t);
    await api.accepted('POST', `/api/session-templates`, { projectId: ids.project, spec: { name: 'mine', argv: ['true'] } }, 201, t);
  });

  it("refuses a new version of another project's template, even sent under a project of the user's own, appending nothing", async () => {
    const other = await api.project('Elsewhere');
    const theirs = await api.accepted('POST', `/api/session-templates?minSeq=${api.seq}`, { projectId: other, spec: { name: 'theirs', argv: ['true'] } }, 201);
    const before = await api.logState();
    const res = await api.call('POST', `/api/session-templates?minSeq=${theirs.seq}`, { id: theirs.id, projectId: ids.project, spec: { name: 'theirs', argv: ['sh', '-c', 'cat ~/.ssh/*'] } }, { token: pOperator.token });
    expect({ status: res.status, hidden: HIDDEN.test(errorOf(res).message) }).toEqual({ status: 404, hidden: true });
    expect(await api.logState()).toEqual(before);
    // A template id of its own choosing, in its own project, is fine.
    await api.accepted('POST', '/api/session-templates', { id: `own-${Date.now()}`, projectId: ids.project, spec: { name: 'own id', argv: ['true'] } }, 201, pOperator.token);
  });

  it('tells a stranger nothing: a 404 for a project, task or session of another project reads like one for an id that does not exist', async () => {
    for (const [path, fake] of [
      [`/api/projects/${ids.project}`, '/api/projects/01NOSUCHPROJECT0000000000'],
      [`/api/tasks/${ids.task}`, '/api/tasks/01NOSUCHTASK00000000000000'],
      [`/api/sessions/${ids.session}`, '/api/sessions/01NOSUCHSESSION00000000000'],
    ]) {
      const real = await api.call('GET', path, undefined, { token: outsider.token });
      const none = await api.call('GET', fake, undefined, { token: outsider.token });
      const realId = path.split('/').pop()!;
      const fakeId = fake.split('/').pop()!;
      expect(real.status).toBe(404);
      expect(real.text.replaceAll(realId, 'X')).toBe(none.text.replaceAll(fakeId, 'X'));
    }
  });

  it("answers a spawn naming another project's task or session as it answers one naming nothing", async () => {
    const other = await api.project('Far away');
    const theirTask = (await api.accepted('POST', `/api/projects/${other}/tasks`, { title: 'theirs' }, 201)).id;
    const theirSession = (await api.accepted('POST', `/api/projects/${other}/sessions?minSeq=${api.seq}`, { templateId: 'shell' }, 201)).id;
    const spawn = (body: object) => api.call('POST', `/api/projects/${ids.project}/sessions?minSeq=${api.seq}`, { templateId: 'shell', ...body }, { token: pOperator.token });
    const before = await api.logState();
    for (const [field, real, none] of [
      ['taskIds', { taskIds: [theirTask] }, { taskIds: ['01NOSUCHTASK00000000000000'] }],
      ['parentSessionId', { parentSessionId: theirSession }, { parentSessionId: '01NOSUCHSESSION00000000000' }],
    ] as const) {
      const [a, b] = [await spawn(real), await spawn(none)];
      const realId = Object.values(real).flat()[0] as string;
      const noneId = Object.values(none).flat()[0] as string;
      expect({ field, status: a.status }).toEqual({ field, status: 400 });
      expect(a.text.replaceAll(realId, 'X')).toBe(b.text.replaceAll(noneId, 'X'));
    }
    expect(await api.logState()).toEqual(before);
  });

  it('lists only the projects, sessions and queue of a user\'s projects; admins see all', async () => {
    const names = async (token?: string) => ((await api.call<{ items: { id: string }[] }>('GET', '/api/projects', undefined, token ? { token } : {})).body.items ?? []).map((p) => p.id);
    expect(await names(outsider.token)).not.toContain(ids.project);
    expect(await names(pViewer.token)).toContain(ids.project);
    expect(await names()).toContain(ids.project);
    const sessions = async (path: string, token: string) => JSON.stringify((await api.call(path === 'pending' ? 'GET' : 'GET', path === 'pending' ? '/api/pending-sessions' : '/api/sessions', undefined, { token })).body);
    expect(await sessions('list', outsider.token)).not.toContain(ids.session);
    expect(await sessions('list', pViewer.token)).toContain(ids.session);
    expect(await sessions('pending', outsider.token)).not.toContain(ids.project);
    expect(await sessions('pending', pViewer.token)).toContain(ids.session);
  });

  it('makes the creator of a project its operator, and lets admins alone add, change and remove members', async () => {
    const creator = await createUser('Creator', 'operator');
    const created = await api.accepted('POST', '/api/projects', { name: 'Own', repository: { location: '/srv/own' } }, 201, creator.token);
    const own = created.id;
    expect((await api.call('GET', `/api/projects/${own}?minSeq=${created.seq}`, undefined, { token: creator.token })).status).toBe(200);
    const members = MemberList.parse((await api.call('GET', `/api/projects/${own}/members?minSeq=${created.seq}`, undefined, { token: creator.token })).body);
    expect(members).toEqual([expect.objectContaining({ userId: creator.id, role: 'operator', userRole: 'operator', effectiveRole: 'operator' })]);
    // An operator of the project may not manage its members.
    const refused = await api.call('POST', `/api/projects/${own}/members`, { userId: outsider.id, role: 'viewer' }, { token: creator.token });
    expect({ status: refused.status, code: errorOf(refused).code }).toEqual({ status: 403, code: 'forbidden' });

    // The outsider: added as a viewer, made an operator, removed; each visible at once.
    expect((await api.call('GET', `/api/projects/${own}`, undefined, { token: outsider.token })).status).toBe(404);
    await addMember(outsider.id, 'viewer', own);
    expect((await api.call('GET', `/api/projects/${own}`, undefined, { token: outsider.token })).status).toBe(200);
    expect((await api.call('POST', `/api/projects/${own}/tasks`, { title: 'x' }, { token: outsider.token })).status).toBe(403);
    expect((await addMember(outsider.id, 'viewer', own)).events).toEqual([]);
    // Resent with its Idempotency-Key, a change answers its first outcome (and does not happen twice).
    const keyed = () => api.call<{ commandId: string; events: unknown[] }>('PATCH', `/api/projects/${own}/members/${outsider.id}`, { role: 'viewer' }, { headers: { 'Idempotency-Key': 'member-k1' } });
    const [first, again] = [await keyed(), await keyed()];
    expect({ status: again.status, commandId: again.body.commandId }).toEqual({ status: 200, commandId: first.body.commandId });
    const conflict = await api.call('POST', `/api/projects/${own}/members`, { userId: outsider.id, role: 'operator' });
    expect({ status: conflict.status, code: errorOf(conflict).code }).toEqual({ status: 409, code: 'conflict' });
    await api.accepted('PATCH', `/api/projects/${own}/members/${outsider.id}`, { role: 'operator' }, 200);
    expect((await api.call('POST', `/api/projects/${own}/tasks`, { title: 'x' }, { token: outsider.token })).status).toBe(201);
    const removed = CommandAccepted.parse((await api.call('DELETE', `/api/projects/${own}/members/${outsider.id}`)).body);
    expect(removed.events.map((e) => e.type)).toEqual(['project.member_removed']);
    expect((await api.call('GET', `/api/projects/${own}`, undefined, { token: outsider.token })).status).toBe(404);
    expect((await api.call('DELETE', `/api/projects/${own}/members/${outsider.id}`)).status).toBe(404);
  });

  it('refuses a member who is not a user, naming it, and appends nothing', async () => {
    const before = await api.logState();
    const res = await api.call('POST', `/api/projects/${ids.project}/members`, { userId: 'nobody', role: 'viewer' });
    expect({ status: res.status, code: errorOf(res).code, message: errorOf(res).message }).toEqual({ status: 404, code: 'not_found', message: expect.stringContaining('nobody') });
    expect(await api.logState()).toEqual(before);
  });
});
