import { AttemptPage, AttemptView, CommandAccepted, MessagePage, TaskView } from '@baton/contracts';
import { eventually } from '@baton/testing';
import { errorOf, startApi, type Api } from '../openapi/__tests__/api-harness';

describe('attempts over REST: one active per task, conversations across sessions, the review loop', () => {
  let api: Api;
  let projectId: string;

  beforeAll(async () => {
    api = await startApi({ withSessions: true });
    projectId = CommandAccepted.parse((await api.call('POST', '/api/projects', { name: 'Attempts', repository: { location: '/srv/att', defaultBranch: 'trunk' } })).body).id;
  }, 60_000);
  afterAll(() => api?.close());

  const accepted = async (method: string, path: string, body: unknown, status = 200) => {
    const res = await api.call(method, path, body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return CommandAccepted.parse(res.body);
  };
  const newTask = async (title: string) => (await accepted('POST', `/api/projects/${projectId}/tasks`, { title }, 201)).id;
  const attempt = async (id: string, minSeq = 0) => AttemptView.parse((await api.call('GET', `/api/attempts/${id}?minSeq=${minSeq}`)).body);

  it('starts an attempt, and refuses a second one with 409 naming the active attempt', async () => {
    const taskId = await newTask('Add login');
    const started = await accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    const a = await attempt(started.id, started.seq);
    expect(a).toMatchObject({ taskId, projectId, number: 1, status: 'active', baseBranch: 'trunk', promptVersionId: null });
    expect(a.branch).toMatch(/login/);
    expect(TaskView.parse((await api.call('GET', `/api/tasks/${taskId}?minSeq=${started.seq}`)).body)).toMatchObject({ status: 'in_progress', activeAttemptId: started.id });

    const before = await api.logState();
    const again = await api.call('POST', `/api/tasks/${taskId}/attempts`, {});
    expect(again.status).toBe(409);
    const error = errorOf(again);
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(started.id);
    expect(error.details).toMatchObject({ activeAttemptId: started.id });
    expect((await api.logState()).events).toBe(before.events);

    const superseding = await accepted('POST', `/api/tasks/${taskId}/attempts`, { supersede: true }, 201);
    expect((await attempt(started.id, superseding.seq)).status).toBe('superseded');
    const list = AttemptPage.parse((await api.call('GET', `/api/tasks/${taskId}/attempts?minSeq=${superseding.seq}`)).body);
    expect(list.items.map((x) => [x.number, x.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    expect(AttemptPage.parse((await api.call('GET', `/api/tasks/${taskId}/attempts?status=active`)).body).items.map((x) => x.id)).toEqual([superseding.id]);
  });

  it('accumulates messages across sessions, in order, and pages through them', async () => {
    const taskId = await newTask('Write docs');
    const { id: attemptId } = await accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    const say = (body: Record<string, unknown>) => accepted('POST', `/api/attempts/${attemptId}/messages`, body, 201);
    const first = await say({ text: 'Please write the README', sessionId: 'session-1' });
    expect(first.id).toBe(first.events[0].id);
    await say({ role: 'agent', kind: 'reply', text: 'Done: README.md', sessionId: 'session-1' });
    const last = await say({ text: 'Now the CHANGELOG', sessionId: 'session-2' });

    const page = MessagePage.parse((await api.call('GET', `/api/attempts/${attemptId}/messages?minSeq=${last.seq}`)).body);
    expect(page.items.map((m) => [m.role, m.kind, m.sessionId, m.text])).toEqual([
      ['user', 'follow_up', 'session-1', 'Please write the README'],
      ['agent', 'reply', 'session-1', 'Done: README.md'],
      ['user', 'follow_up', 'session-2', 'Now the CHANGELOG'],
    ]);
    const rest = MessagePage.parse((await api.call('GET', `/api/attempts/${attemptId}/messages?afterSeq=${page.items[0].seq}&limit=1`)).body);
    expect(rest.items.map((m) => m.text)).toEqual(['Done: README.md']);
    expect(rest.nextAfterSeq).toBe(page.items[1].seq);
    expect((await attempt(attemptId, last.seq)).messageCount).toBe(3);
  });

  it('runs the review loop and finishes: merged makes the task done', async () => {
    const taskId = await newTask('Fix the bug');
    const { id: attemptId } = await accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    const review = await accepted('POST', `/api/attempts/${attemptId}/review`, { summary: 'ready' });
    expect((await attempt(attemptId, review.seq)).status).toBe('in_review');
    const changes = await accepted('POST', `/api/attempts/${attemptId}/changes`, { comment: 'add a test' });
    expect((await attempt(attemptId, changes.seq)).status).toBe('active');
    const messages = MessagePage.parse((await api.call('GET', `/api/attempts/${attemptId}/messages?minSeq=${changes.seq}`)).body);
    expect(messages.items.map((m) => [m.kind, m.text])).toEqual([['review_comment', 'add a test']]);

    const finished = await accepted('POST', `/api/attempts/${attemptId}/finish`, { outcome: 'merged' });
    expect((await attempt(attemptId, finished.seq)).status).toBe('merged');
    expect(TaskView.parse((await api.call('GET', `/api/tasks/${taskId}?minSeq=${finished.seq}`)).body).status).toBe('done');
    const twice = await api.call('POST', `/api/attempts/${attemptId}/finish`, { outcome: 'abandoned' });
    expect(twice.status).toBe(409);
    // The conversation closes when the graph records the end (a reactor): later messages are refused.
    await eventually(async () => (await api.call('POST', `/api/attempts/${attemptId}/messages`, { text: 'one more thing' })).status === 422, 15_000, 'the conversation to close');
  });

  it('refuses to delete a project while an attempt is active (422), then deletes it', async () => {
    const other = CommandAccepted.parse((await api.call('POST', '/api/projects', { name: 'Busy', repository: { location: '/srv/busy' } })).body).id;
    const taskId = (await accepted('POST', `/api/projects/${other}/tasks`, { title: 'Long job' }, 201)).id;
    const { id: attemptId } = await accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    const refused = await api.call('DELETE', `/api/projects/${other}`);
    expect(refused.status).toBe(422);
    expect(errorOf(refused).message).toMatch(/active attempt/);
    await accepted('POST', `/api/attempts/${attemptId}/finish`, { outcome: 'abandoned', reason: 'not needed' });
    const deleted = await accepted('DELETE', `/api/projects/${other}`, undefined);
    expect((await api.call('GET', `/api/projects/${other}?minSeq=${deleted.seq}`)).status).toBe(404);
  });

  it('answers 404 for an attempt that does not exist, before sending anything', async () => {
    const before = await api.logState();
    expect((await api.call('GET', '/api/attempts/nope')).status).toBe(404);
    expect((await api.call('POST', '/api/attempts/nope/messages', { text: 'hello' })).status).toBe(404);
    expect((await api.call('POST', '/api/attempts/nope/finish', { outcome: 'merged' })).status).toBe(404);
    expect(await api.logState()).toEqual(before);
  });

  it('replays a start under the same Idempotency-Key: same attempt, nothing appended', async () => {
    const taskId = await newTask('Once only');
    const headers = { 'Idempotency-Key': `start-${taskId}` };
    const first = await api.call('POST', `/api/tasks/${taskId}/attempts`, {}, { headers });
    expect(first.status).toBe(201);
    const before = await api.logState();
    const again = await api.call('POST', `/api/tasks/${taskId}/attempts`, {}, { headers });
    expect(again.status).toBe(201);
    expect(CommandAccepted.parse(again.body).id).toBe(CommandAccepted.parse(first.body).id);
    expect((await api.logState()).events).toBe(before.events);
  });
});
