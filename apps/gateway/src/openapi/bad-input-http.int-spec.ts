import { CommandAccepted } from '@baton/contracts';
import { errorOf, fieldsOf, startApi, type Api } from './__tests__/api-harness';
import { validBodies } from './__tests__/valid-bodies';

interface Parameter {
  name?: string;
  in?: string;
  $ref?: string;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean };
  security?: unknown[];
  'x-baton'?: { commands?: string[] };
}
type Document = { paths: Record<string, Record<string, Operation>> };

const SOME_ID = '01BADINPUTTESTID';

/** A valid body for every route that requires one, so each sweep below breaks exactly one thing. */
const VALID_BODIES = validBodies({ userId: SOME_ID, dependsOnTaskId: SOME_ID, taskId: SOME_ID });
function validBody(op: Operation): unknown {
  if (!op.requestBody?.required) return undefined;
  if (!(op.operationId in VALID_BODIES)) throw new Error(`add a valid body for ${op.operationId} to VALID_BODIES`);
  return VALID_BODIES[op.operationId];
}

/**
 * Bad input at every endpoint, driven by the document the gateway serves (so a new route is
 * covered as soon as it exists), plus hand-picked cases per family: each is a 400 naming the
 * field, and nothing reaches the log. Viewers get 403 on every write.
 */
describe('bad input and roles at every endpoint family', () => {
  let api: Api;
  let operations: { method: string; path: string; op: Operation }[];
  let projectId: string;
  let taskId: string;
  let attemptId: string;
  let versionId: string;

  beforeAll(async () => {
    api = await startApi();
    const doc = (await api.call<Document>('GET', '/api/docs-json')).body;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
    const ok = async (method: string, path: string, body: unknown) => CommandAccepted.parse((await api.call(method, path, body)).body);
    projectId = (await ok('POST', '/api/projects', { name: 'Bad input', repository: { location: '/srv/bad' } })).id;
    taskId = (await ok('POST', `/api/projects/${projectId}/tasks`, { title: 'A task' })).id;
    attemptId = (await ok('POST', `/api/tasks/${taskId}/attempts`, {})).id;
    versionId = ((await api.call<{ versionId: string }>('POST', '/api/prompt-templates', { name: 'P', body: 'Do {{task.title}}' })).body).versionId;
  }, 60_000);
  afterAll(() => api?.close());

  const url = (path: string, params: Record<string, string> = {}) => path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? SOME_ID);
  const pathParams = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name!);
  const queryParams = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'query');
  const guarded = () => operations.filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0));

  it('refuses an unknown body field at every route that takes a body', async () => {
    const before = await api.logState();
    const withBody = guarded().filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(20);
    for (const { method, path, op } of withBody) {
      const res = await api.call(method, url(path), { zzUnknown: 1 });
      expect({ op: op.operationId, status: res.status, fields: fieldsOf(res) }).toEqual({ op: op.operationId, status: 400, fields: expect.arrayContaining(['zzUnknown']) });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('refuses a body at every route that takes none, naming its fields', async () => {
    const before = await api.logState();
    // fetch sends no body with a GET; every other body-less route is tried.
    const bodyless = guarded().filter(({ method, op }) => !op.requestBody && method !== 'GET');
    expect(bodyless.length).toBeGreaterThan(10);
    for (const { method, path, op } of bodyless) {
      const res = await api.call(method, url(path), { zzUnknown: 1, force: true });
      expect({ op: op.operationId, status: res.status, fields: fieldsOf(res) }).toEqual({ op: op.operationId, status: 400, fields: ['zzUnknown', 'force'] });
      const list = await api.call(method, url(path), [1]);
      expect({ op: op.operationId, status: list.status, fields: fieldsOf(list) }).toEqual({ op: op.operationId, status: 400, fields: ['(body)'] });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('still takes no body, or {}, at a route that takes none', async () => {
    const create = async (name: string) => CommandAccepted.parse((await api.call('POST', '/api/projects', { name, repository: { location: '/srv/bodiless' } })).body).id;
    const [a, b] = [await create('Bodiless A'), await create('Bodiless B')];
    expect((await api.call('POST', `/api/projects/${a}/archive`, {})).status).toBe(200);
    expect((await api.call('POST', `/api/projects/${b}/archive`)).status).toBe(200);
  });

  it('refuses deeply nested JSON before any schema or handler walks it, at routes with and without a body', async () => {
    const before = await api.logState();
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    // A task tree 5,000 levels deep, written out (JSON.stringify would overflow the stack first).
    const deepTree = `{"format":"baton.task-tree","version":1,"tasks":[${'{"ref":"t","title":"x","children":['.repeat(5_000)}${']}'.repeat(5_000)}]}`;
    for (const [method, path, raw] of [
      ['POST', `/api/projects/${projectId}/archive`, deep],
      ['POST', `/api/projects/${projectId}/tasks`, deep],
      ['POST', `/api/projects/${projectId}/import`, deepTree],
    ]) {
      const res = await api.call(method, path, undefined, { raw });
      expect({ path, status: res.status, fields: fieldsOf(res) }).toEqual({ path, status: 400, fields: ['(body)'] });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('refuses a malformed id in every path, naming the parameter', async () => {
    const before = await api.logState();
    for (const { method, path, op } of guarded().filter(({ op }) => pathParams(op).length)) {
      const [first] = pathParams(op);
      const res = await api.call(method, url(path, { [first]: 'a.b' }), validBody(op));
      expect({ op: op.operationId, status: res.status, fields: fieldsOf(res) }).toEqual({ op: op.operationId, status: 400, fields: expect.arrayContaining([first]) });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('refuses an unknown query parameter at every route that reads one', async () => {
    const before = await api.logState();
    for (const { method, path, op } of guarded().filter(({ op }) => queryParams(op).length)) {
      const res = await api.call(method, `${url(path)}?zzBogus=1`, validBody(op));
      expect({ op: op.operationId, status: res.status, fields: fieldsOf(res) }).toEqual({ op: op.operationId, status: 400, fields: expect.arrayContaining(['zzBogus']) });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('refuses a malformed Idempotency-Key at every route that takes one', async () => {
    const before = await api.logState();
    const idempotent = guarded().filter(({ op }) => (op.parameters ?? []).some((p) => p.$ref?.endsWith('/IdempotencyKey')));
    expect(idempotent.length).toBeGreaterThan(20);
    for (const { method, path, op } of idempotent) {
      const res = await api.call(method, url(path), validBody(op), { headers: { 'Idempotency-Key': 'has spaces' } });
      expect({ op: op.operationId, status: res.status, fields: fieldsOf(res) }).toEqual({ op: op.operationId, status: 400, fields: ['Idempotency-Key'] });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('answers 403 to a viewer at every route that sends a command, appending nothing', async () => {
    const viewer = await api.user('viewer');
    const before = await api.logState();
    const writes = guarded().filter(({ op }) => op.operationId !== 'renderPrompt' && op['x-baton']?.commands?.length);
    expect(writes.length).toBeGreaterThan(25);
    for (const { method, path, op } of writes) {
      const res = await api.call(method, url(path, { id: taskId, projectId }), validBody(op), { token: viewer });
      expect({ op: op.operationId, status: res.status, code: errorOf(res).code }).toEqual({ op: op.operationId, status: 403, code: 'forbidden' });
    }
    expect(await api.logState()).toEqual(before);
  });

  const cases = (): [string, string, string, unknown, string][] => [
    ['projects', 'PATCH', `/api/projects/${projectId}`, { concurrencyLimit: 0 }, 'concurrencyLimit'],
    ['projects', 'PATCH', `/api/projects/${projectId}`, {}, '(body)'],
    ['projects', 'GET', '/api/projects?limit=0', undefined, 'limit'],
    ['members', 'POST', `/api/projects/${projectId}/members`, { userId: SOME_ID, role: 'admin' }, 'role'],
    ['members', 'POST', `/api/projects/${projectId}/members`, { userId: 'a b', role: 'viewer' }, 'userId'],
    ['members', 'POST', `/api/projects/${projectId}/members`, { role: 'viewer' }, 'userId'],
    ['members', 'PATCH', `/api/projects/${projectId}/members/${SOME_ID}`, { role: 'owner' }, 'role'],
    ['members', 'PATCH', `/api/projects/${projectId}/members/a.b`, { role: 'viewer' }, 'userId'],
    ['members', 'GET', `/api/projects/${projectId}/members?minSeq=x`, undefined, 'minSeq'],
    ['tasks', 'POST', `/api/projects/${projectId}/tasks`, { title: '   ' }, 'title'],
    ['tasks', 'POST', `/api/projects/${projectId}/tasks`, { title: 'x', priority: 9 }, 'priority'],
    ['tasks', 'POST', `/api/projects/${projectId}/tasks`, { title: 'x', dependsOn: [{ taskId: taskId, condition: 'maybe' }] }, 'dependsOn[0].condition'],
    ['tasks', 'POST', `/api/projects/${projectId}/tasks`, { title: 'x', labels: 'urgent' }, 'labels'],
    ['tasks', 'PATCH', `/api/tasks/${taskId}`, { executionMode: 'yolo' }, 'executionMode'],
    ['tasks', 'POST', `/api/tasks/${taskId}/fail`, { reason: '' }, 'reason'],
    ['tasks', 'POST', `/api/tasks/${taskId}/dependencies`, { dependsOnTaskId: 'a.b' }, 'dependsOnTaskId'],
    ['tasks', 'GET', `/api/projects/${projectId}/tasks?status=sleeping`, undefined, 'status'],
    ['tasks', 'GET', `/api/tasks/${taskId}/unblocks?as=maybe`, undefined, 'as'],
    ['attempts', 'POST', `/api/tasks/${taskId}/attempts`, { supersede: 'yes' }, 'supersede'],
    ['attempts', 'POST', `/api/attempts/${attemptId}/messages`, { text: '' }, 'text'],
    ['attempts', 'POST', `/api/attempts/${attemptId}/messages`, { text: 'hi', kind: 'shout' }, 'kind'],
    ['attempts', 'POST', `/api/attempts/${attemptId}/finish`, { outcome: 'won' }, 'outcome'],
    ['attempts', 'GET', `/api/attempts/${attemptId}/messages?limit=5000`, undefined, 'limit'],
    ['prompts', 'POST', '/api/prompt-templates', { name: 'x', body: '' }, 'body'],
    ['prompts', 'POST', '/api/prompt-templates', { name: 'x', body: 'b', variables: [{ name: 'Bad Name' }] }, 'variables[0].name'],
    ['prompts', 'POST', `/api/prompt-versions/${versionId}/render`, { taskId, values: { tone: 1 } }, 'values.tone'],
    ['prompts', 'GET', '/api/prompt-templates?includeArchived=maybe', undefined, 'includeArchived'],
    ['metrics', 'GET', '/api/prompt-metrics', undefined, 'projectId'],
    ['metrics', 'GET', `/api/projects/${projectId}/metrics?minSeq=-1`, undefined, 'minSeq'],
    ['transfer', 'POST', `/api/projects/${projectId}/import`, { format: 'baton.task-tree', version: 2, tasks: [] }, 'version'],
    ['transfer', 'POST', `/api/projects/${projectId}/import`, { format: 'baton.task-tree', version: 1, tasks: [{ ref: 'a' }] }, 'tasks[0].title'],
    // Public, and a browser's navigation, but malformed input is a 400 all the same (decision 0028).
    ['auth', 'GET', '/api/auth/oidc/callback?code=abc', undefined, 'state'],
    ['auth', 'GET', `/api/auth/oidc/callback?state=${'s'.repeat(600)}&code=abc`, undefined, 'state'],
    ['auth', 'GET', '/api/auth/oidc/callback?state=s&code=', undefined, 'code'],
  ];

  it('names the field for wrong types, ranges and shapes in every family', async () => {
    const before = await api.logState();
    for (const [family, method, path, body, field] of cases()) {
      const res = await api.call(method, path, body);
      const error = errorOf(res);
      expect({ family, method, path, status: res.status, code: error.code, fields: fieldsOf(res) }).toEqual({
        family,
        method,
        path,
        status: 400,
        code: 'validation',
        fields: expect.arrayContaining([field]),
      });
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(await api.logState()).toEqual(before);
  });

  it('answers every public route without a token, and names the field of bad input there too', async () => {
    const before = await api.logState();
    const open = operations.filter(({ op }) => Array.isArray(op.security) && op.security.length === 0);
    expect(open.map(({ op }) => op.operationId)).toEqual(expect.arrayContaining(['authConfig', 'oidcLogin', 'oidcCallback', 'health']));
    for (const { method, path, op } of open) {
      const res = await api.call(method, url(path), undefined, { token: null });
      expect({ op: op.operationId, unauthorized: res.status === 401 || res.status === 403 }).toEqual({ op: op.operationId, unauthorized: false });
    }
    // This gateway has no provider configured: it says so, and the provider's routes are not there.
    expect((await api.call('GET', '/api/auth/config', undefined, { token: null })).body).toEqual({ token: true, oidc: null });
    const login = await api.call('GET', '/api/auth/oidc/login', undefined, { token: null });
    expect({ status: login.status, message: errorOf(login).message }).toEqual({ status: 404, message: expect.stringMatching(/not configured \(BATON_OIDC_ISSUER\)/) });
    const unknown = await api.call('GET', '/api/auth/oidc/callback?state=s&code=c&session_state=x', undefined, { token: null });
    expect(unknown.status).toBe(404);
    expect(await api.logState()).toEqual(before);
  });

  it('refuses a body that is not JSON or is too large, appending nothing', async () => {
    const before = await api.logState();
    const notJson = await api.call('POST', `/api/projects/${projectId}/tasks`, undefined, { raw: '{"title": ' });
    expect(notJson.status).toBe(400);
    const tooLarge = await api.call('POST', `/api/projects/${projectId}/import`, { format: 'baton.task-tree', version: 1, tasks: [], pad: 'x'.repeat(400_000) });
    expect(tooLarge.status).toBe(413);
    expect(errorOf(tooLarge).code).toBe('payload_too_large');
    expect(await api.logState()).toEqual(before);
  });
});
