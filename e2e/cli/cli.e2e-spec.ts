import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestNamespace, startService, type TestNamespace } from '@baton/testing';
import { cleanEnv, json, runCli, type Ran } from './baton-cli';

interface Accepted {
  id: string;
  seq: number;
}
interface Task {
  id: string;
  title: string;
  status: string;
  dependsOn: { taskId: string; condition: string }[];
  activeAttemptId: string | null;
}

describe('the baton CLI against a running stack', () => {
  let ns: TestNamespace;
  let env: Record<string, string>;
  const baton = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]): Promise<Ran> => {
    const r = await baton(...args);
    if (r.code !== 0) throw new Error(`baton ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  const createProject = async (name: string) => json<Accepted>(await ok('project', 'create', '--name', name, '--repo', `/srv/${name}`, '--json'));
  const createTask = async (projectId: string, ...args: string[]) => json<Accepted>(await ok('task', 'create', projectId, ...args, '--json'));
  const showTask = async (id: string, minSeq: number) => json<Task>(await ok('task', 'show', id, '--min-seq', String(minSeq), '--json'));

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    const gateway = await startService('gateway', ns.env);
    env = cleanEnv({ BATON_API_URL: gateway.url, BATON_TOKEN: ns.token });
  }, 90_000);
  afterAll(() => ns?.cleanup());

  describe('a project with two tasks, one waiting on the other', () => {
    let projectId: string;
    let first: Accepted;
    let second: Accepted;

    beforeAll(async () => {
      projectId = (await createProject('cli-graph')).id;
      first = await createTask(projectId, '--title', 'Lay the foundation', '--priority', 'P1', '--label', 'core', '--criterion', 'it stands');
      second = await createTask(projectId, '--title', 'Build the walls', '--depends-on', first.id);
    });

    it('shows the dependency and which task waits', async () => {
      const waiting = await showTask(second.id, second.seq);
      expect(waiting.dependsOn).toEqual([{ taskId: first.id, condition: 'success' }]);
      expect(waiting.status).not.toBe('ready');
      expect((await showTask(first.id, second.seq)).status).toBe('ready');

      const list = json<{ items: Task[]; total: number }>(await ok('task', 'list', projectId, '--json'));
      expect(list.items.map((t) => t.title)).toEqual(['Lay the foundation', 'Build the walls']);
      const table = (await ok('task', 'list', projectId)).stdout;
      expect(table).toMatch(/^ID +NUMBER +STATUS +PRIORITY +TITLE/);
      expect(table).toMatch(/#1 +ready +P1 +Lay the foundation/);

      const unblocks = json<{ tasks: { id: string }[] }>(await ok('task', 'unblocks', first.id, '--json'));
      expect(unblocks.tasks.map((t) => t.id)).toEqual([second.id]);
    });

    it('makes the waiting task ready when the first is completed', async () => {
      const done = json<Accepted>(await ok('task', 'complete', first.id, '--reason', 'done by hand', '--json'));
      expect((await showTask(first.id, done.seq)).status).toBe('done');
      expect((await showTask(second.id, done.seq)).status).toBe('ready');
      const board = (await ok('task', 'board', projectId, '--min-seq', String(done.seq))).stdout;
      expect(board).toMatch(/^READY \(1\)\n +ID +NUMBER +PRIORITY +TITLE\n +\S+ +#2 +P2 +Build the walls$/m);
      expect(board).toMatch(/^DONE \(1\)$/m);
      expect(board).not.toMatch(/TODO/);
    });

    it("prints a task's history as Markdown", async () => {
      const history = (await ok('task', 'history', first.id)).stdout;
      expect(history).toMatch(/^#/);
      expect(history).toContain('Lay the foundation');
    });

    it('refuses a second attempt while one is active, naming it (exit 1)', async () => {
      const started = await ok('task', 'start-attempt', second.id);
      const attemptId = started.stdout.trim();
      expect(attemptId).toMatch(/^[A-Za-z0-9_-]+$/);
      const again = await baton('task', 'start-attempt', second.id);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(attemptId);
      expect(again.stderr).toMatch(/active attempt/);

      const note = json<Accepted>(await ok('attempt', 'message', attemptId, 'Please add a door', '--json'));
      const messages = json<{ items: { text: string; kind: string }[] }>(await ok('attempt', 'messages', attemptId, '--min-seq', String(note.seq), '--json'));
      expect(messages.items).toContainEqual(expect.objectContaining({ text: 'Please add a door', kind: 'follow_up' }));
      expect(json<{ id: string; status: string }>(await ok('attempt', 'show', attemptId, '--json'))).toMatchObject({ id: attemptId, status: 'active' });
    });

    it('exports the plan, imports it into another project, and exports the same plan again', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-export-'));
      const file = join(dir, 'plan.json');
      await ok('export', projectId, '--out', file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; tasks: unknown[] };
      expect(exported).toMatchObject({ format: 'baton.task-tree', version: 1 });
      expect(exported.tasks).toHaveLength(2);

      const copy = await createProject('cli-copy');
      const imported = json<Accepted & { tasks: { ref: string; id: string }[] }>(await ok('import', copy.id, file, '--json'));
      expect(imported.tasks).toHaveLength(2);
      const again = await ok('export', copy.id, '--min-seq', String(imported.seq));
      expect(JSON.parse(again.stdout)).toEqual(exported);
    });

    it('prints metrics as a record, JSON and CSV', async () => {
      expect(json<{ total: number }>(await ok('metrics', projectId, '--json')).total).toBe(2);
      expect((await ok('metrics', projectId)).stdout).toMatch(/^tasksByStatus\.done: +1$/m);
      expect((await ok('metrics', projectId, '--csv')).stdout).toMatch(/,/);
    });
  });

  it.each([
    ['a missing required option', ['task', 'create', 'P1'], /--title/],
    ['a value outside an enum', ['task', 'list', 'P1', '--status', 'nope'], /Allowed choices are/],
    ['an invalid id', ['task', 'show', 'a.b'], /letters, digits/],
    ['an invalid number', ['project', 'create', '--name', 'x', '--repo', '/r', '--concurrency', '-3'], /positive whole number/],
  ])('exits 2 with a message on %s', async (_label, args, message) => {
    const r = await baton(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 with the fields the API names when it refuses the input (400)', async () => {
    const { id } = await createProject('cli-bad-input');
    const r = await baton('task', 'create', id, '--title', '   ');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/title/);
  });

  it('exits 1 when something is not there (404)', async () => {
    const r = await baton('task', 'show', 'no-such-task');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-task/);
  });

  it('keeps the URL and token in a 0600 config file and uses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
    const file = join(dir, 'config.json');
    const fileEnv = cleanEnv({ BATON_CONFIG: file });
    const login = await runCli(['login', '--url', env.BATON_API_URL, '--token-stdin'], fileEnv, `${ns.token}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/signed in .* as /);
    expect(login.stdout + login.stderr).not.toContain(ns.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ apiUrl: env.BATON_API_URL, token: ns.token });

    const listed = await runCli(['project', 'list', '--json'], fileEnv);
    expect(listed.code).toBe(0);
    expect(json<{ items: unknown[] }>(listed).items.length).toBeGreaterThan(0);
    const shown = await runCli(['config', 'show'], fileEnv);
    expect(shown.stdout).toMatch(/tokenFrom: +config/);
    expect(shown.stdout).not.toContain(ns.token);

    // `config set` writes the same file, and a wrong token is refused with exit 1.
    const other = cleanEnv({ BATON_CONFIG: join(dir, 'other.json') });
    expect((await runCli(['config', 'set', 'api-url', env.BATON_API_URL], other)).code).toBe(0);
    expect((await runCli(['config', 'set', 'token', '-'], other, 'btn_wrong\n')).code).toBe(0);
    expect(statSync(join(dir, 'other.json')).mode & 0o777).toBe(0o600);
    const refused = await runCli(['project', 'list'], other);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401|token/);
  });
});
