import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepted, baton, refusal, type Call } from '../__tests__/fake-ctx';

const agent = { BATON_SESSION_ID: 'S1', BATON_PROJECT_ID: 'P1' };
const session = (over: Record<string, unknown> = {}) => ({
  id: 'S1',
  projectId: 'P1',
  templateId: 'baton-demo-agent',
  name: 'demo',
  role: 'worker',
  strategy: 'queue',
  status: 'working',
  attemptId: null,
  taskIds: ['T1', 'T2'],
  parentSessionId: null,
  items: [],
  ...over,
});

describe('baton report', () => {
  it('reports progress on its own session from the environment, no flags needed', async () => {
    const sut = await baton(['report', 'progress', '40%', 'wrote', 'the', 'parser'], () => accepted('S1'), { env: agent });
    expect(sut).toMatchObject({ code: 0, stdout: 'reported progress 40%\n' });
    expect(sut.calls).toEqual([expect.objectContaining({ method: 'POST', path: '/api/sessions/S1/reports', body: { kind: 'progress', message: 'wrote the parser', progress: 0.4 } })]);
  });

  it.each([
    [['milestone', 'schema', 'done'], { kind: 'milestone', message: 'schema done' }],
    [['needs-input', 'Which', 'database?'], { kind: 'needs_input', message: 'Which database?' }],
    [['error', 'tests', 'flaky', '--task', 'T2'], { kind: 'error', message: 'tests flaky', taskId: 'T2' }],
    [['task-started', 'T1'], { kind: 'task_started', taskId: 'T1' }],
    [['task-completed', 'T1', 'all', 'green'], { kind: 'task_completed', taskId: 'T1', message: 'all green' }],
  ])('baton report %j', async (args, body) => {
    const sut = await baton(['report', ...args], undefined, { env: agent });
    expect(sut.code).toBe(0);
    expect(sut.calls[0]).toMatchObject({ path: '/api/sessions/S1/reports', body });
  });

  it('reports a status, needs-input spelled either way', async () => {
    const sut = await baton(['report', 'status', 'needs-input', 'waiting', 'for', 'review'], undefined, { env: agent });
    expect(sut.calls[0]).toMatchObject({ path: '/api/sessions/S1/status', body: { status: 'needs_input', message: 'waiting for review' } });
    expect((await baton(['report', 'status', 'completed'], undefined, { env: agent })).calls[0]).toMatchObject({ body: { status: 'completed' } });
  });

  it('reports usage, with the manifest\'s short flags too', async () => {
    const long = await baton(['report', 'usage', '--input-tokens', '1200', '--output-tokens', '300', '--cost-usd', '0.0123', '--model', 'm1'], undefined, { env: agent });
    expect(long.calls[0]).toMatchObject({ path: '/api/sessions/S1/usage', body: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0123, model: 'm1' } });
    const short = await baton(['report', 'usage', '--input', '5', '--cost', '1'], undefined, { env: agent });
    expect(short.calls[0]).toMatchObject({ body: { inputTokens: 5, costUsd: 1 } });
  });

  it.each([
    ['no session in the environment', ['report', 'milestone', 'x'], {}, /BATON_SESSION_ID/],
    ['progress out of range', ['report', 'progress', '140%'], agent, /between 0 and 1/],
    ['an unknown status', ['report', 'status', 'sleeping'], agent, /working, idle/],
    ['usage without numbers', ['report', 'usage'], agent, /at least one/],
    ['negative tokens', ['report', 'usage', '--input-tokens', '-3'], agent, /0 or more/],
  ])('exits 2 on %s, asking nothing', async (_label, args, env, message) => {
    const sut = await baton(args, undefined, { env });
    expect(sut.code).toBe(2);
    expect(sut.stderr).toMatch(message);
    expect(sut.calls).toEqual([]);
  });

  it('acts on another session with --session', async () => {
    const sut = await baton(['report', 'milestone', 'hi', '--session', 'S9'], undefined, { env: agent });
    expect(sut.calls[0].path).toBe('/api/sessions/S9/reports');
  });
});

describe('baton task (agent variants)', () => {
  it('completes, fails, blocks and skips its own task through the session', async () => {
    expect((await baton(['task', 'complete', '--reason', 'done'], undefined, { env: agent })).calls[0]).toMatchObject({
      path: '/api/sessions/S1/reports',
      body: { kind: 'task_completed', message: 'done' },
    });
    expect((await baton(['task', 'fail', 'T2', '--reason', 'no'], undefined, { env: agent })).calls[0]).toMatchObject({ body: { kind: 'task_failed', taskId: 'T2', message: 'no' } });
    expect((await baton(['task', 'block', '--reason', 'waits on T1'], undefined, { env: agent })).calls[0]).toMatchObject({ body: { kind: 'task_blocked' } });
    expect((await baton(['task', 'skip', 'T2'], undefined, { env: agent })).calls[0]).toMatchObject({ body: { kind: 'task_skipped', taskId: 'T2' } });
  });

  it('is the operator command outside a session, or with --no-session', async () => {
    expect((await baton(['task', 'complete', 'T1'])).calls[0]).toMatchObject({ path: '/api/tasks/T1/complete' });
    expect((await baton(['task', 'fail', 'T1', '--reason', 'r', '--no-session'], undefined, { env: agent })).calls[0]).toMatchObject({ path: '/api/tasks/T1/fail', body: { reason: 'r' } });
    const missing = await baton(['task', 'complete']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/name the task/) });
    expect((await baton(['task', 'fail', 'T1'])).code).toBe(2);
    expect((await baton(['task', 'block', 'T1'])).stderr).toMatch(/inside a session/);
  });
});

describe('baton queue', () => {
  it('takes the next task and prints it, reading which one from the session', async () => {
    const task = { id: 'T1', title: 'Parser', description: 'Use a PEG.', acceptanceCriteria: ['parses'] };
    const answer = (call: Call) =>
      call.method === 'POST' ? accepted('S1', 40) : call.path === '/api/sessions/S1' ? session({ items: [{ taskId: 'T1', status: 'processing' }, { taskId: 'T2', status: 'queued' }] }) : task;
    const sut = await baton(['queue', 'next'], answer, { env: agent });
    expect(sut).toMatchObject({ code: 0, stdout: 'T1  Parser\n\nUse a PEG.\n\nAcceptance criteria:\n  - parses\n' });
    expect(sut.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/sessions/S1/queue/next', 'GET /api/sessions/S1', 'GET /api/tasks/T1']);
    expect(sut.calls[1].query).toMatchObject({ minSeq: 40 });
    expect(JSON.parse((await baton(['queue', 'next', '--json'], answer, { env: agent })).stdout)).toEqual(task);
  });

  it("takes the task's text from the manifest, as an agent's token may not read tasks", async () => {
    const manifest = join(mkdtempSync(join(tmpdir(), 'baton-q-')), 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ session: { id: 'S1', strategy: 'queue' }, project: { id: 'P1' }, tasks: [{ id: 'T1', title: 'From the manifest', description: 'd' }] }));
    const answer = (call: Call) =>
      call.method === 'POST' ? accepted('S1') : call.path === '/api/sessions/S1' ? session({ items: [{ taskId: 'T1', status: 'processing' }] }) : refusal(403, 'agents may not read tasks')();
    const fromManifest = await baton(['queue', 'next'], answer, { env: { ...agent, BATON_MANIFEST_JSON: manifest } });
    expect(fromManifest.stdout).toBe('T1  From the manifest\n\nd\n');
    expect(fromManifest.calls.map((c) => c.path)).not.toContain('/api/tasks/T1');
    expect((await baton(['queue', 'next'], answer, { env: agent })).stdout).toBe('T1  T1\n');
  });

  it('exits 3 when the queue is empty, or the session already ended because it drained', async () => {
    const empty = await baton(['queue', 'next'], (c) => (c.method === 'POST' ? accepted('S1') : session({ items: [{ taskId: 'T1', status: 'completed' }] })), { env: agent });
    expect(empty).toMatchObject({ code: 3, stdout: '', stderr: expect.stringMatching(/nothing left in the queue/) });
    const ended = await baton(['queue', 'next'], (c) => (c.method === 'POST' ? refusal(409, 'session S1 has ended')() : session({ status: 'completed' })), { env: agent });
    expect(ended.code).toBe(3);
    const refused = await baton(['queue', 'next'], (c) => (c.method === 'POST' ? refusal(409, 'task T1 is still processing')() : session()), { env: agent });
    expect(refused).toMatchObject({ code: 1, stderr: 'baton: task T1 is still processing\n' });
  });

  it('completes, fails and skips', async () => {
    expect((await baton(['queue', 'complete', 'all', 'good'], undefined, { env: agent })).calls[0]).toMatchObject({ path: '/api/sessions/S1/queue/complete', body: { message: 'all good' } });
    expect((await baton(['queue', 'fail', 'broken'], undefined, { env: agent })).calls[0]).toMatchObject({ path: '/api/sessions/S1/queue/fail', body: { reason: 'broken' } });
    expect((await baton(['queue', 'skip', '--task', 'T2'], undefined, { env: agent })).calls[0]).toMatchObject({ path: '/api/sessions/S1/queue/skip', body: { taskId: 'T2' } });
  });
});

describe('baton session', () => {
  it('registers', async () => {
    expect((await baton(['session', 'register', '--agent', 'x 1'], undefined, { env: agent })).calls[0]).toMatchObject({ path: '/api/sessions/S1/register', body: { agent: 'x 1' } });
  });

  it('spawns a worker of its own with --parent self, and a session in a project otherwise', async () => {
    const worker = await baton(['session', 'spawn', '--template', 'baton-demo-agent', '--task', 'T1', '--task', 'T2', '--parent', 'self', '--strategy', 'queue'], () => accepted('W1'), { env: agent });
    expect(worker).toMatchObject({ code: 0, stdout: 'W1\n' });
    expect(worker.calls[0]).toMatchObject({ path: '/api/sessions/S1/workers', body: { templateId: 'baton-demo-agent', taskIds: ['T1', 'T2'], strategy: 'queue' } });
    const implicit = await baton(['session', 'spawn', '--template', 'baton-demo-agent', '--task', 'T1', '--role', 'worker'], () => accepted('W2'), { env: agent });
    expect(implicit.calls[0]).toMatchObject({ path: '/api/sessions/S1/workers', body: { taskIds: ['T1'] } });
    const topFromInside = await baton(['session', 'spawn', '--template', 'shell', '--no-parent'], () => accepted('S6'), { env: agent });
    expect(topFromInside.calls[0]).toMatchObject({ path: '/api/projects/P1/sessions' });
    const top = await baton(['session', 'spawn', '--template', 'shell', '--project', 'P2', '--role', 'service', '--name', 'dev server'], () => accepted('S5'));
    expect(top.calls[0]).toMatchObject({ path: '/api/projects/P2/sessions', body: { templateId: 'shell', role: 'service', name: 'dev server', strategy: 'simple' } });
  });

  it.each([
    ['no project', ['session', 'spawn', '--template', 'shell'], {}, /--project/],
    ['a queue without tasks', ['session', 'spawn', '--template', 'x', '--strategy', 'queue', '--project', 'P1'], {}, /at least one --task/],
    ['--parent self outside a session', ['session', 'spawn', '--template', 'x', '--parent', 'self'], {}, /BATON_SESSION_ID/],
    ['a worker with another role', ['session', 'spawn', '--template', 'x', '--parent', 'S3', '--role', 'orchestrator'], {}, /is a worker/],
  ])('exits 2 on %s', async (_label, args, env, message) => {
    const sut = await baton(args, undefined, { env });
    expect(sut).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(sut.calls).toEqual([]);
  });

  it('lists, shows and stops', async () => {
    const list = await baton(['session', 'list', '--children'], () => ({ items: [session()], total: 1 }), { env: agent });
    expect(list.calls[0]).toMatchObject({ path: '/api/sessions', query: { parentSessionId: 'S1' } });
    expect(list.stdout).toMatch(/^ID +STATUS +ROLE +TEMPLATE_ID/);
    const show = await baton(['session', 'show', 'S1'], () => session({ items: [{ taskId: 'T1', status: 'processing' }] }));
    expect(show.stdout).toMatch(/^status: +working$/m);
    expect(show.stdout).toContain('  processing T1');
    expect((await baton(['session', 'stop', 'S1'])).calls[0]).toMatchObject({ path: '/api/sessions/S1/stop', body: { cascade: false } });
    expect((await baton(['session', 'stop', 'S1', '--cascade', '--reason', 'enough'])).calls[0]).toMatchObject({ body: { cascade: true, reason: 'enough' } });
  });

  it('sends text with Enter, or an interrupt', async () => {
    expect((await baton(['session', 'send', 'S2', 'use', 'postgres'])).calls[0]).toMatchObject({ path: '/api/sessions/S2/input', body: { text: 'use postgres\r', kind: 'text' } });
    expect((await baton(['session', 'send', 'S2', 'y', '--no-enter'])).calls[0]).toMatchObject({ body: { text: 'y' } });
    expect((await baton(['session', 'send', 'S2', '--kind', 'interrupt'])).calls[0]).toMatchObject({ body: { text: '\u0003', kind: 'interrupt' } });
    expect((await baton(['session', 'send', 'S2'])).code).toBe(2);
  });

  it('prints the timeline', async () => {
    const entries = [
      { id: 'e1', seq: 3, at: '2025-01-01T10:00:01.000Z', kind: 'task_started', message: 'started', taskId: 'T1', progress: null },
      { id: 'e2', seq: 4, at: '2025-01-01T10:00:02.000Z', kind: 'progress', message: 'half', taskId: 'T1', progress: 0.5 },
    ];
    const sut = await baton(['session', 'logs', 'S1', '--kind', 'progress', '--kind', 'task_started'], () => ({ items: entries, nextAfterSeq: 4 }));
    expect(sut.stdout).toBe('10:00:01  task_started    started  (task T1)\n10:00:02  progress        [█████░░░░░]  50%  half  (task T1)\n');
    expect(sut.calls[0]).toMatchObject({ path: '/api/sessions/S1/timeline', query: { kinds: 'progress,task_started' } });
  });

  it('exports a recording to a file or standard output', async () => {
    const sut = await baton(['session', 'export', 'S1', '--format', 'md'], () => ({ sessionId: 'S1', format: 'markdown', fileName: 'S1.md', content: '# S1\n', truncated: false }));
    expect(sut).toMatchObject({ code: 0, stdout: '# S1\n' });
    expect(sut.calls[0]).toMatchObject({ path: '/api/sessions/S1/export', query: { format: 'md' } });
    expect((await baton(['session', 'export', 'S1', '--format', 'gif'])).code).toBe(2);
  });
});
