import { CommandAccepted, TaskBoard, TaskPage, TaskUnblocks, TaskView } from '@baton/contracts';
import { errorOf, startApi, type Api } from '../openapi/__tests__/api-harness';


describe('the task tree and DAG over REST, against the real tasks service', () => {
  let api: Api;
  let projectId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi();
    projectId = CommandAccepted.parse((await api.call('POST', '/api/projects', { name: 'Graph', repository: { location: '/srv/graph' } })).body).id;
  }, 60_000);
  afterAll(() => api?.close());

  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await api.call('POST', `/api/projects/${projectId}/tasks`, { title: name, ...extra });
    expect(res.status).toBe(201);
    const accepted = CommandAccepted.parse(res.body);
    ids[name] = accepted.id;
    return accepted;
  };
  const task = async (name: string, minSeq = 0) => TaskView.parse((await api.call('GET', `/api/tasks/${ids[name]}?minSeq=${minSeq}`)).body);
  const post = async (path: string, body?: unknown) => {
    const res = await api.call('POST', path, body);
    expect(res.status).toBe(200);
    return CommandAccepted.parse(res.body);
  };

  it('creates a tree with dependencies and derives who is ready', async () => {
    await create('A', { description: 'first', acceptanceCriteria: ['it works'], priority: 1, labels: ['api'] });
    await create('B', { dependsOn: [{ taskId: ids.A }] });
    await create('C', { dependsOn: [{ taskId: ids.B, condition: 'success' }] });
    await create('D', { dependsOn: [{ taskId: ids.B, condition: 'failure' }] });
    await create('E', { executionMode: 'autonomous' });
    await create('E1', { parentId: ids.E });
    const last = await create('E2', { parentId: ids.E });

    const a = await task('A', last.seq);
    expect(a).toMatchObject({ title: 'A', status: 'ready', description: 'first', acceptanceCriteria: ['it works'], priority: 1, labels: ['api'], dependants: [ids.B] });
    expect((await task('B')).status).toBe('todo');
    expect(await task('E1')).toMatchObject({ parentId: ids.E, status: 'ready' });
    expect(await task('E')).toMatchObject({ childCount: 2, executionMode: 'autonomous' });
  });

  it('refuses a dependency that closes a cycle, naming the path, and appends nothing', async () => {
    const before = await api.logState();
    const res = await api.call('POST', `/api/tasks/${ids.A}/dependencies`, { dependsOnTaskId: ids.C });
    expect(res.status).toBe(409);
    const error = errorOf(res);
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/cycle/);
    expect(error.message).toContain('A');
    expect(error.details?.path).toEqual(expect.arrayContaining([ids.A, ids.B, ids.C]));
    expect((await api.logState()).events).toBe(before.events);
  });

  it('refuses a subtask that would wait on its own parent through a dependency', async () => {
    const res = await api.call('POST', `/api/tasks/${ids.E}/dependencies`, { dependsOnTaskId: ids.E1 });
    expect(res.status).toBe(409);
    expect(errorOf(res).message).toMatch(/cycle/);
  });

  it('readies a dependant when its dependency completes (read at the returned seq)', async () => {
    const done = await post(`/api/tasks/${ids.A}/complete`, { reason: 'done by hand' });
    expect(done.id).toBe(ids.A);
    expect((await task('A', done.seq)).status).toBe('done');
    expect((await task('B', done.seq)).status).toBe('ready');
  });

  it('says what finishing a task would unblock, as done and as failed', async () => {
    const asDone = TaskUnblocks.parse((await api.call('GET', `/api/tasks/${ids.B}/unblocks?as=done`)).body);
    expect(asDone.tasks.map((t) => t.id)).toEqual([ids.C]);
    const asFailed = TaskUnblocks.parse((await api.call('GET', `/api/tasks/${ids.B}/unblocks?as=failed`)).body);
    expect(asFailed.tasks.map((t) => t.id)).toEqual([ids.D]);
  });

  it('blocks the dependants of a failed task with the cause, and readies the failure-conditioned one', async () => {
    const failed = await post(`/api/tasks/${ids.B}/fail`, { reason: 'tests do not pass' });
    const c = await task('C', failed.seq);
    expect(c.status).toBe('blocked');
    expect(c.blockedBy).toEqual([{ taskId: ids.B, condition: 'success', status: 'failed', via: null }]);
    expect((await task('D', failed.seq)).status).toBe('ready');
  });

  it('lists with filters and pagination, and shows the board', async () => {
    const list = async (query: string) => TaskPage.parse((await api.call('GET', `/api/projects/${projectId}/tasks?${query}`)).body);
    expect((await list('status=blocked')).items.map((t) => t.id)).toEqual([ids.C]);
    expect((await list(`parentId=${ids.E}`)).items.map((t) => t.id)).toEqual([ids.E1, ids.E2]);
    const roots = await list('parentId=null');
    expect(roots.items.map((t) => t.id)).toEqual([ids.A, ids.B, ids.C, ids.D, ids.E]);
    const page = await list('parentId=null&limit=2&offset=1');
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(page.items.map((t) => t.id)).toEqual([ids.B, ids.C]);

    const board = TaskBoard.parse((await api.call('GET', `/api/projects/${projectId}/board`)).body);
    const column = (s: string) => board.columns.find((c) => c.status === s)!.tasks.map((t) => t.id);
    expect(column('blocked')).toEqual([ids.C]);
    expect(column('done')).toEqual([ids.A]);
    expect(board.columns.flatMap((c) => c.tasks.map((t) => t.id))).not.toContain(ids.E);
    const sub = TaskBoard.parse((await api.call('GET', `/api/projects/${projectId}/board?parentId=${ids.E}`)).body);
    expect(sub.columns.flatMap((c) => c.tasks.map((t) => t.id)).sort()).toEqual([ids.E1, ids.E2].sort());
  });

  it('edits, moves, unlinks, reopens, cancels and removes', async () => {
    const edited = await (async () => {
      const res = await api.call('PATCH', `/api/tasks/${ids.C}`, { title: 'C, renamed', labels: ['x'] });
      expect(res.status).toBe(200);
      return CommandAccepted.parse(res.body);
    })();
    expect(await task('C', edited.seq)).toMatchObject({ title: 'C, renamed', labels: ['x'] });

    const moved = await post(`/api/tasks/${ids.D}/move`, { parentId: ids.E });
    expect((await task('D', moved.seq)).parentId).toBe(ids.E);

    const unlinked = await api.call('DELETE', `/api/tasks/${ids.C}/dependencies/${ids.B}`);
    expect(unlinked.status).toBe(200);
    const c = await task('C', CommandAccepted.parse(unlinked.body).seq);
    expect(c).toMatchObject({ dependsOn: [], status: 'ready', blockedBy: null });

    const reopened = await post(`/api/tasks/${ids.B}/reopen`);
    expect((await task('B', reopened.seq)).status).toBe('ready');

    const cancelled = await post(`/api/tasks/${ids.E2}/cancel`, {});
    expect((await task('E2', cancelled.seq)).status).toBe('cancelled');

    const refused = await api.call('DELETE', `/api/tasks/${ids.B}`);
    expect(refused.status).toBe(409);
    expect(errorOf(refused).message).toMatch(/depend/);

    const removed = await api.call('DELETE', `/api/tasks/${ids.E1}`);
    expect(removed.status).toBe(200);
    const gone = await api.call('GET', `/api/tasks/${ids.E1}?minSeq=${CommandAccepted.parse(removed.body).seq}`);
    expect(gone.status).toBe(404);
    expect(errorOf(gone).code).toBe('not_found');
  });

  it('answers a resent Idempotency-Key with the first outcome and the same task id, appending once', async () => {
    const headers = { 'Idempotency-Key': `task-${Date.now()}` };
    const first = await api.call('POST', `/api/projects/${projectId}/tasks`, { title: 'Once' }, { headers });
    expect(first.status).toBe(201);
    const before = await api.logState();
    const again = await api.call('POST', `/api/projects/${projectId}/tasks`, { title: 'Once, again' }, { headers });
    expect(again.status).toBe(201);
    expect(CommandAccepted.parse(again.body)).toEqual(CommandAccepted.parse(first.body));
    expect((await api.logState()).events).toBe(before.events);
    const { id, seq } = CommandAccepted.parse(first.body);
    const created = TaskView.parse((await api.call('GET', `/api/tasks/${id}?minSeq=${seq}`)).body);
    expect(created.title).toBe('Once');
  });

  it('scopes an Idempotency-Key to its route: the same key on another route does that route\'s work', async () => {
    const headers = { 'Idempotency-Key': `shared-${Date.now()}` };
    const project = await api.call('POST', '/api/projects', { name: 'Keyed', repository: { location: '/srv/keyed' } }, { headers });
    expect(project.status).toBe(201);
    const p = CommandAccepted.parse(project.body);
    const created = await api.call('POST', `/api/projects/${p.id}/tasks`, { title: 'Keyed task' }, { headers });
    expect(created.status).toBe(201);
    const t = CommandAccepted.parse(created.body);
    expect(t.commandId).not.toBe(p.commandId);
    expect(t.seq).toBeGreaterThan(p.seq);
    expect(TaskView.parse((await api.call('GET', `/api/tasks/${t.id}?minSeq=${t.seq}`)).body)).toMatchObject({ title: 'Keyed task', projectId: p.id });
    // Resent on its own route, the key still answers that route's first outcome.
    expect(CommandAccepted.parse((await api.call('POST', `/api/projects/${p.id}/tasks`, { title: 'Other' }, { headers })).body)).toEqual(t);
  });

  it("tells a task's history as Markdown, from its events", async () => {
    const res = await api.call('GET', `/api/tasks/${ids.B}/history`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(res.text).toMatch(/^# #2 B/);
    expect(res.text).toContain('tests do not pass');
    expect(res.text).toMatch(/ready → failed|in_progress → failed|→ failed/);
  });

  it('answers 404 for tasks of a project that does not exist', async () => {
    expect((await api.call('GET', '/api/projects/nope/tasks')).status).toBe(404);
    expect((await api.call('POST', '/api/projects/nope/tasks', { title: 'x' })).status).toBe(404);
  });
});
