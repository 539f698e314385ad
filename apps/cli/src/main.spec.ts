import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepted, baton, refusal } from './__tests__/fake-ctx';

const task = {
  id: 'T1',
  projectId: 'P1',
  number: 3,
  parentId: null,
  title: 'Write the parser',
  description: 'Use a PEG.',
  acceptanceCriteria: ['parses'],
  priority: 1,
  labels: ['core'],
  executionMode: 'interactive',
  status: 'ready',
  blockedBy: null,
  dependsOn: [{ taskId: 'T0', condition: 'any' }],
  dependants: [],
  childCount: 0,
  activeAttemptId: null,
  attemptCount: 0,
  sessionCount: 0,
  messageCount: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  startedAt: null,
  doneAt: null,
  finishedAt: null,
};

describe('baton', () => {
  it('creates a task with every detail and prints its id', async () => {
    const sut = await baton(
      ['task', 'create', 'P1', '--title', 'T', '--description', 'D', '--criterion', 'c1', '--criterion', 'c2', '--priority', 'P0', '--label', 'x', '--mode', 'autonomous', '--parent', 'T9', '--depends-on', 'T1', '--depends-on', 'T2:failure'],
      () => accepted('T3'),
    );
    expect(sut).toMatchObject({ code: 0, stdout: 'T3\n' });
    expect(sut.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/api/projects/P1/tasks',
        body: {
          title: 'T',
          description: 'D',
          acceptanceCriteria: ['c1', 'c2'],
          priority: 0,
          labels: ['x'],
          executionMode: 'autonomous',
          parentId: 'T9',
          dependsOn: [
            { taskId: 'T1', condition: 'success' },
            { taskId: 'T2', condition: 'failure' },
          ],
        },
      }),
    ]);
  });

  it('prints the accepted command with --json', async () => {
    const sut = await baton(['task', 'complete', 'T1', '--reason', 'done by hand', '--json'], () => accepted('T1', 42));
    expect(JSON.parse(sut.stdout)).toMatchObject({ id: 'T1', seq: 42 });
    expect(sut.calls[0]).toMatchObject({ method: 'POST', path: '/api/tasks/T1/complete', body: { reason: 'done by hand' } });
  });

  it('shows a task as fields, then its description and criteria', async () => {
    const sut = await baton(['task', 'show', 'T1', '--min-seq', '9'], () => task);
    expect(sut.code).toBe(0);
    expect(sut.stdout).toMatch(/^id: +T1$/m);
    expect(sut.stdout).toMatch(/^priority: +P1$/m);
    expect(sut.stdout).toMatch(/^dependsOn: +T0:any$/m);
    expect(sut.stdout).toContain('Use a PEG.');
    expect(sut.stdout).toContain('  - parses');
    expect(sut.calls[0]).toMatchObject({ path: '/api/tasks/T1', query: { minSeq: 9 } });
  });

  it('lists top-level tasks as a table', async () => {
    const sut = await baton(['task', 'list', 'P1', '--roots', '--status', 'ready'], () => ({ items: [task], total: 1, limit: 200, offset: 0 }));
    expect(sut.stdout.split('\n')[0]).toMatch(/^ID +NUMBER +STATUS +PRIORITY +TITLE +DEPENDS_ON$/);
    expect(sut.stdout).toMatch(/T1 +#3 +ready +P1 +Write the parser +T0:any/);
    expect(sut.calls[0].query).toMatchObject({ parentId: 'null', status: 'ready' });
  });

  it('shows the board as the columns that hold tasks', async () => {
    const card = { id: 'T1', number: 3, title: 'Write the parser', priority: 1 };
    const sut = await baton(['task', 'board', 'P1'], () => ({ columns: [{ status: 'todo', tasks: [] }, { status: 'ready', tasks: [card] }] }));
    expect(sut.stdout).toBe('READY (1)\n  ID  NUMBER  PRIORITY  TITLE\n  T1  #3      P1        Write the parser\n');
    expect((await baton(['task', 'board', 'P1'], () => ({ columns: [{ status: 'todo', tasks: [] }] }))).stdout).toBe('(no tasks)\n');
  });

  it('fills in the half of the repository that was not given', async () => {
    const sut = await baton(['project', 'update', 'P1', '--branch', 'dev', '--unlimited'], (call) =>
      call.method === 'GET' ? { id: 'P1', repository: { location: '/srv/r', defaultBranch: 'main' } } : accepted('P1'),
    );
    expect(sut.code).toBe(0);
    expect(sut.calls[1]).toMatchObject({ method: 'PATCH', path: '/api/projects/P1', body: { repository: { location: '/srv/r', defaultBranch: 'dev' }, concurrencyLimit: null } });
  });

  it('sends dependencies, moves and attempts where the API expects them', async () => {
    expect((await baton(['task', 'depend', 'T1', 'T2', '--condition', 'any'])).calls[0]).toMatchObject({
      path: '/api/tasks/T1/dependencies',
      body: { dependsOnTaskId: 'T2', condition: 'any' },
    });
    expect((await baton(['task', 'undepend', 'T1', 'T2'])).calls[0]).toMatchObject({ method: 'DELETE', path: '/api/tasks/T1/dependencies/T2' });
    expect((await baton(['task', 'move', 'T1', '--root'])).calls[0]).toMatchObject({ path: '/api/tasks/T1/move', body: { parentId: null } });
    expect((await baton(['task', 'start-attempt', 'T1', '--supersede', '--value', 'goal=ship'])).calls[0]).toMatchObject({
      path: '/api/tasks/T1/attempts',
      body: { supersede: true, promptValues: { goal: 'ship' } },
    });
    expect((await baton(['attempt', 'finish', 'A1', '--outcome', 'merged'])).calls[0]).toMatchObject({ path: '/api/attempts/A1/finish', body: { outcome: 'merged' } });
  });

  it('says --template for a session template everywhere, and still takes the older --session-template', async () => {
    for (const flag of ['--template', '--session-template']) {
      expect((await baton(['task', 'start-attempt', 'T1', flag, 'claude-code'])).calls[0]).toMatchObject({ path: '/api/tasks/T1/attempts', body: { sessionTemplateId: 'claude-code' } });
    }
    const help = await baton(['task', 'start-attempt', '--help']);
    expect(help.stdout).toContain('--template <id>');
    expect(help.stdout).not.toContain('--session-template');
  });

  it('reads a message from standard input', async () => {
    const sut = await baton(['attempt', 'message', 'A1', '--file', '-', '--kind', 'note'], undefined, { stdin: 'from stdin' });
    expect(sut.calls[0]).toMatchObject({ path: '/api/attempts/A1/messages', body: { role: 'user', kind: 'note', text: 'from stdin' } });
  });

  it.each([
    ['a missing required option', ['task', 'create', 'P1'], /--title/],
    ['a value outside an enum', ['task', 'list', 'P1', '--status', 'nope'], /Allowed choices are todo/],
    ['an invalid id', ['task', 'show', 'a.b'], /letters, digits/],
    ['an unknown command', ['tsak'], /unknown command/],
    ['options that exclude each other', ['task', 'move', 'T1'], /--parent <task> or --root/],
    ['nothing to change', ['task', 'update', 'T1'], /at least one change/],
    ['a delete without --yes', ['project', 'delete', 'P1'], /--yes/],
  ])('exits 2 on %s, and asks the API nothing', async (_label, args, message) => {
    const sut = await baton(args);
    expect(sut.code).toBe(2);
    expect(sut.stderr).toMatch(message);
    expect(sut.calls).toEqual([]);
  });

  it('exits 2 when the API says the input is bad, 1 when it refuses otherwise', async () => {
    const bad = await baton(['project', 'rename', 'P1', ' '], refusal(400, 'invalid request\n  name: must not be empty'));
    expect(bad).toMatchObject({ code: 2, stderr: 'baton: invalid request\n  name: must not be empty\n' });
    const conflict = await baton(['task', 'start-attempt', 'T1'], refusal(409, 'task T1 already has an active attempt A1'));
    expect(conflict).toMatchObject({ code: 1, stderr: 'baton: task T1 already has an active attempt A1\n' });
  });

  it('saves settings to a 0600 file and never prints the token', async () => {
    const env = { BATON_CONFIG: join(mkdtempSync(join(tmpdir(), 'baton-cli-')), 'config.json') };
    expect((await baton(['config', 'set', 'api-url', 'http://h:9'], undefined, { env })).code).toBe(0);
    expect((await baton(['config', 'set', 'token', '-'], undefined, { env, stdin: 'btn_secret\n' })).code).toBe(0);
    expect(statSync(env.BATON_CONFIG).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(env.BATON_CONFIG, 'utf8'))).toEqual({ apiUrl: 'http://h:9', token: 'btn_secret' });
    const shown = await baton(['config', 'show'], undefined, { env });
    expect(shown.stdout).toMatch(/apiUrl: +http:\/\/h:9/);
    expect(shown.stdout).toMatch(/token: +set/);
    expect(shown.stdout + (await baton(['config', 'get', 'token'], undefined, { env })).stdout).not.toContain('btn_secret');
    expect((await baton(['config', 'set', 'api-url', 'nope'], undefined, { env })).code).toBe(2);
  });
});
