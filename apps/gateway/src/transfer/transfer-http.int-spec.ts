import { CommandAccepted, ImportAccepted, TaskPage, TaskTreeSchema, type TaskTree } from '@baton/contracts';
import { errorOf, fieldsOf, startApi, type Api } from '../openapi/__tests__/api-harness';

describe("a project's plan over REST: export, import, and import(export(x)) == x", () => {
  let api: Api;
  let source: string;
  let exported: TaskTree;

  const newProject = async (name: string) => CommandAccepted.parse((await api.call('POST', '/api/projects', { name, repository: { location: `/srv/${name}` } })).body).id;
  const exportOf = async (projectId: string, minSeq = 0) => {
    const res = await api.call('GET', `/api/projects/${projectId}/export?minSeq=${minSeq}`);
    expect(res.status).toBe(200);
    return TaskTreeSchema.parse(res.body);
  };

  beforeAll(async () => {
    api = await startApi();
    source = await newProject('source');
    const ids: Record<string, string> = {};
    const create = async (title: string, extra: Record<string, unknown> = {}) => {
      const res = await api.call('POST', `/api/projects/${source}/tasks`, { title, ...extra });
      if (res.status !== 201) throw new Error(res.text);
      ids[title] = CommandAccepted.parse(res.body).id;
    };
    await create('API');
    await create('Auth', {
      parentId: ids.API,
      description: 'Use the **OAuth** flow.\nNo `$(shell)` here.',
      acceptanceCriteria: ['redirects back', 'remembers the provider'],
      priority: 0,
      labels: ['auth', 'web'],
      executionMode: 'autonomous',
    });
    await create('Web', { dependsOn: [{ taskId: ids.API, condition: 'any' }] });
    await create('Login', { parentId: ids.Web, dependsOn: [{ taskId: ids.Auth }] });
    await create('Rollback', { dependsOn: [{ taskId: ids.Web, condition: 'failure' }] });
    await create('Docs');
    // A dependency on a task that comes later in the tree: imported after every create.
    const forward = await api.call('POST', `/api/tasks/${ids.Auth}/dependencies`, { dependsOnTaskId: ids.Docs, condition: 'success' });
    exported = await exportOf(source, CommandAccepted.parse(forward.body).seq);
  }, 60_000);
  afterAll(() => api?.close());

  it('exports the tree with local refs, details and conditions', () => {
    expect(exported.format).toBe('baton.task-tree');
    expect(exported.tasks.map((t) => [t.ref, t.title, t.children.map((c) => c.title)])).toEqual([
      ['t1', 'API', ['Auth']],
      ['t3', 'Web', ['Login']],
      ['t5', 'Rollback', []],
      ['t6', 'Docs', []],
    ]);
    expect(exported.tasks[0].children[0]).toMatchObject({ ref: 't2', priority: 0, executionMode: 'autonomous', dependsOn: [{ ref: 't6', condition: 'success' }] });
  });

  it('imports into another project so that its export is the same document', async () => {
    const target = await newProject('target');
    const res = await api.call('POST', `/api/projects/${target}/import`, exported);
    expect(res.status).toBe(201);
    const imported = ImportAccepted.parse(res.body);
    expect(imported.id).toBe(target);
    expect(imported.tasks.map((t) => t.ref)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    expect(imported.commands).toBe(7);
    expect(await exportOf(target, imported.seq)).toEqual(exported);
    // Through JSON once more: still the same document.
    const again = await newProject('again');
    const second = ImportAccepted.parse((await api.call('POST', `/api/projects/${again}/import`, JSON.parse(JSON.stringify(await exportOf(target))))).body);
    expect(await exportOf(again, second.seq)).toEqual(exported);
  });

  it('imports under a parent task', async () => {
    const host = await newProject('host');
    const parent = CommandAccepted.parse((await api.call('POST', `/api/projects/${host}/tasks`, { title: 'Imported plan' })).body).id;
    const imported = ImportAccepted.parse((await api.call('POST', `/api/projects/${host}/import?parentId=${parent}`, exported)).body);
    const children = TaskPage.parse((await api.call('GET', `/api/projects/${host}/tasks?parentId=${parent}&minSeq=${imported.seq}`)).body);
    expect(children.items.map((t) => t.title)).toEqual(['API', 'Web', 'Rollback', 'Docs']);
  });

  const task = (ref: string, extra: Record<string, unknown> = {}) => ({
    ref,
    title: `task ${ref}`,
    description: '',
    acceptanceCriteria: [],
    priority: 2,
    labels: [],
    executionMode: 'interactive',
    dependsOn: [],
    children: [],
    ...extra,
  });
  const doc = (tasks: unknown[]) => ({ format: 'baton.task-tree', version: 1, tasks });
  const bad: [string, unknown, string, RegExp | null][] = [
    ['a missing nested field', doc([task('a', { children: [{ ...task('b'), title: undefined }] })]), 'tasks[0].children[0].title', null],
    ['a wrong format', { ...doc([]), format: 'csv' }, 'format', null],
    ['an unknown field', doc([task('a', { status: 'done' })]), 'tasks[0].status', /unknown field/],
    ['a ref used twice', doc([task('a'), task('a')]), 'tasks[1].ref', /used twice/],
    ['an unknown dependency', doc([task('a', { dependsOn: [{ ref: 'zz', condition: 'success' }] })]), 'tasks[0].dependsOn[0].ref', /unknown ref "zz"/],
    [
      'a dependency cycle',
      doc([task('a', { dependsOn: [{ ref: 'b', condition: 'success' }] }), task('b', { dependsOn: [{ ref: 'a', condition: 'any' }] })]),
      'tasks[0]',
      /cycle: a → b → a/,
    ],
    ['a subtask waiting on its parent', doc([task('p', { children: [task('c', { dependsOn: [{ ref: 'p', condition: 'success' }] })] })]), 'tasks[0]', /cycle: p → c → p/],
  ];

  it.each(bad)('refuses a document with %s: 400 naming the path, nothing sent', async (_label, body, path, message) => {
    const target = await newProject('refusing');
    const before = await api.logState();
    const res = await api.call('POST', `/api/projects/${target}/import`, body);
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toContain(path);
    if (message) expect(errorOf(res).message).toMatch(message);
    expect(await api.logState()).toEqual(before);
  });

  it('replays an import under the same Idempotency-Key: same ids, nothing appended', async () => {
    const target = await newProject('replayed');
    const headers = { 'Idempotency-Key': `import-${target}` };
    const first = ImportAccepted.parse((await api.call('POST', `/api/projects/${target}/import`, exported, { headers })).body);
    const before = await api.logState();
    const again = ImportAccepted.parse((await api.call('POST', `/api/projects/${target}/import`, exported, { headers })).body);
    expect(again.tasks).toEqual(first.tasks);
    expect(again.seq).toBe(first.seq);
    expect((await api.logState()).events).toBe(before.events);
    expect(TaskPage.parse((await api.call('GET', `/api/projects/${target}/tasks?minSeq=${again.seq}`)).body).total).toBe(6);
  });

  it('answers 404 when exporting or importing a project that does not exist', async () => {
    expect((await api.call('GET', '/api/projects/ghost/export')).status).toBe(404);
    expect((await api.call('POST', '/api/projects/ghost/import', exported)).status).toBe(404);
  });
});
