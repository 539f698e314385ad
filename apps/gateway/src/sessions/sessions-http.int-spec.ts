import {
  CommandAccepted,
  FollowUpAccepted,
  PendingQueue,
  ProjectStackAccepted,
  SessionPage,
  SessionView,
  TemplateList,
  TemplateView,
  TimelinePage,
} from '@baton/contracts';
import { eventually } from '@baton/testing';
import { errorOf, fieldsOf } from '../openapi/__tests__/api-harness';
import { agentSpec, startSessionsApi, type SessionsApi } from './__tests__/sessions-api';

/** Nothing in these tests can be placed: no runner has this label. */
const NOWHERE = { runnerLabels: { pool: 'nowhere' } };

describe('sessions over REST: spawning, the attempt seat, follow-ups, templates, the project stack', () => {
  let api: SessionsApi;
  let projectId: string;

  beforeAll(async () => {
    api = await startSessionsApi();
    projectId = await api.project('Sessions');
  }, 90_000);
  afterAll(() => api?.close());

  const session = async (id: string, minSeq = 0) => SessionView.parse((await api.call('GET', `/api/sessions/${id}?minSeq=${minSeq}`)).body);
  const newAttempt = async (title: string) => {
    const taskId = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title }, 201)).id;
    const attempt = await api.accepted('POST', `/api/tasks/${taskId}/attempts`, {}, 201);
    return { taskId, attemptId: attempt.id, seq: attempt.seq };
  };

  it('spawns a plain command that waits pending, visible in the list, the queue and its timeline', async () => {
    const spawned = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', name: 'dev server', ...NOWHERE }, 201);
    const s = await session(spawned.id, spawned.seq);
    expect(s).toMatchObject({ id: spawned.id, projectId, templateId: 'shell', kind: 'command', name: 'dev server', status: 'pending', attemptId: null, origin: { kind: 'manual' } });

    const list = SessionPage.parse((await api.call('GET', `/api/sessions?projectId=${projectId}&status=pending,spawning&live=true&templateId=shell&minSeq=${spawned.seq}`)).body);
    expect(list.items.map((x) => x.id)).toContain(spawned.id);
    expect(SessionPage.parse((await api.call('GET', `/api/sessions?projectId=${projectId}&live=false`)).body).items.map((x) => x.id)).not.toContain(spawned.id);

    const queue = PendingQueue.parse((await api.call('GET', `/api/pending-sessions?projectId=${projectId}&minSeq=${spawned.seq}`)).body);
    expect(queue.items.find((x) => x.id === spawned.id)).toMatchObject({ status: 'pending', position: expect.any(Number) });

    const timeline = TimelinePage.parse((await api.call('GET', `/api/sessions/${spawned.id}/timeline?minSeq=${spawned.seq}`)).body);
    expect(timeline.items.map((e) => e.kind)).toEqual(['session_started']);
    expect(timeline.items[0]).toMatchObject({ sessionId: spawned.id, source: 'user' });
  });

  it('answers a resent Idempotency-Key with the same session, appending nothing', async () => {
    const headers = { 'Idempotency-Key': `spawn-${Date.now()}` };
    const body = { templateId: 'shell', ...NOWHERE };
    const first = await api.call('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, body, { headers });
    expect(first.status).toBe(201);
    const before = await api.logState();
    const again = await api.call('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, body, { headers });
    expect(again.status).toBe(201);
    expect(CommandAccepted.parse(again.body).id).toBe(CommandAccepted.parse(first.body).id);
    expect((await api.logState()).events).toBe(before.events);
  });

  it('holds one session per attempt: a second is 409 naming the running one, and nothing is appended', async () => {
    const { attemptId, taskId, seq } = await newAttempt('Seat');
    const first = await api.accepted('POST', `/api/attempts/${attemptId}/sessions?minSeq=${seq}`, { templateId: 'shell', ...NOWHERE }, 201);
    // The row is there from the claim already (decision 0005): a client reads its own write.
    expect(await session(first.id, first.seq)).toMatchObject({ attemptId, taskIds: [taskId], status: 'pending' });

    const before = await api.logState();
    const second = await api.call('POST', `/api/attempts/${attemptId}/sessions`, { templateId: 'shell', ...NOWHERE });
    expect(second.status).toBe(409);
    expect(errorOf(second)).toMatchObject({ code: 'conflict', message: expect.stringContaining(first.id), details: { runningSessionId: first.id } });
    expect((await api.logState()).events).toBe(before.events);
  });

  it('routes a follow-up into the running session, or starts one with it: of the template named, else like the last; never a session: 422', async () => {
    const running = await newAttempt('Follow-up target');
    const holder = await api.accepted('POST', `/api/attempts/${running.attemptId}/sessions?minSeq=${running.seq}`, { templateId: 'shell', ...NOWHERE }, 201);
    const routed = FollowUpAccepted.parse((await api.call('POST', `/api/attempts/${running.attemptId}/follow-up?minSeq=${holder.seq}`, { text: 'also add tests' })).body);
    expect(routed).toMatchObject({ started: false, sessionId: holder.id });

    const idle = await newAttempt('Follow-up, nothing runs');
    const refused = await api.call('POST', `/api/attempts/${idle.attemptId}/follow-up?minSeq=${idle.seq}`, { text: 'go on' });
    expect({ status: refused.status, code: errorOf(refused).code }).toEqual({ status: 422, code: 'invalid_state' });
    const started = FollowUpAccepted.parse((await api.call('POST', `/api/attempts/${idle.attemptId}/follow-up?minSeq=${idle.seq}`, { text: 'go on', templateId: 'shell', ...NOWHERE })).body);
    expect(started.started).toBe(true);
    expect(await session(started.sessionId!, started.seq)).toMatchObject({ attemptId: idle.attemptId, origin: { kind: 'follow_up' } });

    // It ended; no template named: one like it starts (the seat is released by a reactor, so wait for that).
    await api.accepted('POST', `/api/sessions/${started.sessionId}/stop`);
    const likeLast = await eventually(async () => {
      const r = await api.call('POST', `/api/attempts/${idle.attemptId}/follow-up`, { text: 'and the docs' });
      const accepted = r.status === 200 ? FollowUpAccepted.parse(r.body) : null;
      return accepted?.started ? accepted : null;
    }, 15_000, 'a follow-up to start a session like the last');
    expect(likeLast.sessionId).not.toBe(started.sessionId);
    expect(await session(likeLast.sessionId!, likeLast.seq)).toMatchObject({ attemptId: idle.attemptId, templateId: 'shell', origin: { kind: 'follow_up' } });
  });

  it('refuses a session in a finished attempt (422) and in an unknown one (404)', async () => {
    const { attemptId } = await newAttempt('Finished');
    const done = await api.accepted('POST', `/api/attempts/${attemptId}/finish`, { outcome: 'abandoned' });
    const finished = await api.call('POST', `/api/attempts/${attemptId}/sessions?minSeq=${done.seq}`, { templateId: 'shell' });
    expect({ status: finished.status, error: errorOf(finished) }).toEqual({ status: 422, error: expect.objectContaining({ code: 'invalid_state' }) });
    expect((await api.call('POST', '/api/attempts/NO-SUCH-ATTEMPT/sessions', { templateId: 'shell' })).status).toBe(404);
  });

  it('stops a session: stopped, with the reason, and a second stop changes nothing', async () => {
    const spawned = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', ...NOWHERE }, 201);
    const stopped = await api.accepted('POST', `/api/sessions/${spawned.id}/stop`, { reason: 'not needed' });
    expect(await session(spawned.id, stopped.seq)).toMatchObject({ status: 'stopped', endedReason: 'not needed' });
    expect((await api.accepted('POST', `/api/sessions/${spawned.id}/stop`)).events).toEqual([]);
    expect((await api.call('POST', '/api/sessions/NO-SUCH-SESSION/stop')).status).toBe(404);
  });

  it('refuses to delete a project while its sessions run (422 naming them); stopped, it goes', async () => {
    const doomed = await api.project('Doomed');
    const spawned = await api.accepted('POST', `/api/projects/${doomed}/sessions?minSeq=${api.seq}`, { templateId: 'shell', ...NOWHERE }, 201);
    const refused = await api.call('DELETE', `/api/projects/${doomed}?minSeq=${spawned.seq}`);
    expect({ status: refused.status, body: refused.body }).toEqual({
      status: 422,
      body: { error: expect.objectContaining({ code: 'invalid_state', message: expect.stringContaining('1 running session'), details: { projectId: doomed, sessions: [spawned.id] } }) },
    });
    const stopped = await api.accepted('POST', `/api/sessions/${spawned.id}/stop`, { reason: 'clearing up' });
    expect((await api.call('DELETE', `/api/projects/${doomed}?minSeq=${stopped.seq}`)).status).toBe(200);
  });

  it('queues input for a session that has not started yet', async () => {
    const spawned = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', ...NOWHERE }, 201);
    const sent = await api.accepted('POST', `/api/sessions/${spawned.id}/input`, { text: 'npm test\r', kind: 'text' });
    expect(sent.events.map((e) => e.type)).toEqual(['session.input_sent']);
  });

  it('defines, versions, lists, gets and removes templates, per project and beside the built-ins', async () => {
    const defined = await api.accepted('POST', '/api/session-templates', { projectId, spec: agentSpec('Reviewer') }, 201);
    const get = async (minSeq: number) => TemplateView.parse((await api.call('GET', `/api/session-templates/${defined.id}?projectId=${projectId}&minSeq=${minSeq}`)).body);
    expect(await get(defined.seq)).toMatchObject({ id: defined.id, projectId, builtIn: false, version: 1, kind: 'agent', spec: { registration: 'agent', restart: { mode: 'never' } } });
    const command = await api.accepted('POST', '/api/session-templates', { projectId, spec: { name: 'Tests', kind: 'command', argv: ['npm', 'test'] } }, 201);
    expect((await api.call<TemplateView>('GET', `/api/session-templates/${command.id}?projectId=${projectId}&minSeq=${command.seq}`)).body.spec.registration).toBe('on_spawn');

    const v2 = await api.accepted('POST', '/api/session-templates', { id: defined.id, projectId, spec: { ...agentSpec('Reviewer'), description: 'now with a description' } }, 201);
    expect((await get(v2.seq)).version).toBe(2);
    expect((await api.accepted('POST', '/api/session-templates', { id: defined.id, projectId, spec: { ...agentSpec('Reviewer'), description: 'now with a description' } }, 201)).events).toEqual([]);

    const forProject = TemplateList.parse((await api.call('GET', `/api/projects/${projectId}/session-templates?minSeq=${v2.seq}`)).body);
    expect(forProject.filter((t) => t.builtIn).map((t) => t.id)).toEqual(expect.arrayContaining(['claude-code', 'codex', 'gemini', 'aider', 'opencode', 'shell', 'baton-demo-agent']));
    expect(forProject.map((t) => t.id)).toContain(defined.id);
    expect(TemplateList.parse((await api.call('GET', '/api/session-templates')).body).map((t) => t.id)).not.toContain(defined.id);
    expect((await api.call('GET', `/api/session-templates/${defined.id}`)).status).toBe(404);

    const builtIn = await api.call('POST', '/api/session-templates', { id: 'shell', spec: agentSpec('Mine') });
    expect({ status: builtIn.status, code: errorOf(builtIn).code }).toEqual({ status: 409, code: 'conflict' });
    const otherProject = await api.call('POST', '/api/session-templates', { id: defined.id, projectId: null, spec: agentSpec('Reviewer') });
    expect(otherProject.status).toBe(409);

    const removed = await api.accepted('DELETE', `/api/session-templates/${defined.id}`);
    expect((await api.call('GET', `/api/session-templates/${defined.id}?projectId=${projectId}&minSeq=${removed.seq}`)).status).toBe(404);
    expect((await api.call('DELETE', `/api/session-templates/${defined.id}`)).status).toBe(404);
  });

  it('opens a project (its startup sequence, in order) and closes it; a second open is 409', async () => {
    const p = await api.project('Stack');
    const nothing = await api.call('POST', `/api/projects/${p}/open?minSeq=${api.seq}`);
    expect({ status: nothing.status, code: errorOf(nothing).code }).toEqual({ status: 422, code: 'invalid_state' });

    const db = await api.accepted('POST', '/api/session-templates', { projectId: p, spec: { name: 'Database', kind: 'command', argv: ['sleep', '1000'], runnerLabels: NOWHERE.runnerLabels } }, 201);
    const web = await api.accepted('POST', '/api/session-templates', { projectId: p, spec: { name: 'Web', kind: 'command', argv: ['sleep', '1000'], runnerLabels: NOWHERE.runnerLabels } }, 201);
    const settings = await api.accepted('PATCH', `/api/projects/${p}`, { startupSequence: [db.id, web.id], shutdownSequence: [web.id] });
    const opened = ProjectStackAccepted.parse((await api.call('POST', `/api/projects/${p}/open?minSeq=${Math.max(settings.seq, web.seq)}`)).body);
    expect(opened.steps.map((s) => s.templateId)).toEqual([db.id, web.id]);
    // Only the first step starts; the next waits for it to be ready.
    await eventually(async () => (await api.call('GET', `/api/sessions/${opened.steps[0].sessionId}`)).status === 200, 15_000, 'the first step\'s session');
    expect((await api.call('GET', `/api/sessions/${opened.steps[1].sessionId}`)).status).toBe(404);

    const again = await api.call('POST', `/api/projects/${p}/open`);
    expect(again.status).toBe(409);
    const closed = ProjectStackAccepted.parse((await api.call('POST', `/api/projects/${p}/close`)).body);
    expect(closed.events.length).toBeGreaterThan(0);
  });

  it('refuses bad input naming the field, appending nothing', async () => {
    const other = await api.project('Other');
    const foreign = (await api.accepted('POST', `/api/projects/${other}/tasks`, { title: 'not yours' }, 201)).id;
    const mine = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title: 'mine' }, 201)).id;
    const before = await api.logState();
    const cases: [string, string, unknown, string][] = [
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', taskIds: [mine, mine] }, 'taskIds'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', strategy: 'queue' }, 'taskIds'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', taskIds: [foreign] }, 'taskIds[0]'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', role: 'boss' }, 'role'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', budget: { maxCostUsd: -1, maxTokens: null } }, 'budget.maxCostUsd'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', runnerLabels: { 'bad key': 'x' } }, 'runnerLabels.bad key'],
      ['POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'shell', prompt: '' }, 'prompt'],
      ['POST', '/api/sessions/x/input', { text: 'hi', kind: 'resume' }, 'kind'],
      ['POST', '/api/sessions/x/input', { text: '' }, 'text'],
      ['POST', '/api/sessions/x/stop', { cascade: 'yes' }, 'cascade'],
      ['POST', '/api/sessions/x/reports', { kind: 'milestone', progress: 0.5 }, 'progress'],
      ['POST', '/api/sessions/x/reports', { kind: 'progress', progress: 1.5 }, 'progress'],
      ['POST', '/api/sessions/x/reports', { kind: 'shouting' }, 'kind'],
      ['POST', '/api/sessions/x/status', { status: 'sleeping' }, 'status'],
      ['POST', '/api/sessions/x/usage', { inputTokens: -1 }, 'inputTokens'],
      ['POST', '/api/sessions/x/queue/fail', {}, 'reason'],
      ['GET', '/api/sessions?status=pending,dreaming', undefined, 'status'],
      ['GET', '/api/sessions?live=maybe', undefined, 'live'],
      ['GET', '/api/sessions/x/timeline?kinds=progress,gossip', undefined, 'kinds'],
      ['GET', '/api/sessions/x/timeline?until=yesterday', undefined, 'until'],
      ['GET', '/api/sessions/x/replay?untilSeq=-3', undefined, 'untilSeq'],
      ['GET', '/api/sessions/x/export?format=mp4', undefined, 'format'],
      ['POST', '/api/session-templates', { spec: { name: 'x', argv: ['echo', '{{task.title}}'] } }, 'spec.argv[1]'],
      ['POST', '/api/session-templates', { spec: { name: 'x', argv: [] } }, 'spec.argv'],
      ['POST', '/api/session-templates', { spec: { name: 'x', argv: ['x'], env: { BATON_TOKEN: 'mine' } } }, 'spec.env'],
      ['POST', '/api/session-templates', { spec: { name: 'x', argv: ['x'], registration: 'ready_pattern' } }, 'spec.readyPattern'],
      ['POST', '/api/session-templates', { spec: { name: 'x', argv: ['x'], errorPattern: '(a+)+$' } }, 'spec.errorPattern'],
      ['POST', '/api/runners/x/capacity', { capacity: -1 }, 'capacity'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await api.call(method, path, body);
      expect({ method, path, status: res.status, fields: fieldsOf(res) }).toEqual({ method, path, status: 400, fields: expect.arrayContaining([field]) });
    }
    expect(await api.logState()).toEqual(before);
  });

  it('answers 404 for what does not exist', async () => {
    for (const path of ['/api/sessions/NOPE', '/api/sessions/NOPE/timeline', '/api/sessions/NOPE/replay', '/api/sessions/NOPE/export?format=md', '/api/runners/NOPE', '/api/projects/NOPE/usage', '/api/projects/NOPE/session-templates']) {
      expect({ path, status: (await api.call('GET', path)).status }).toEqual({ path, status: 404 });
    }
    const unknownTemplate = await api.call('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: 'no-such-template' });
    expect({ status: unknownTemplate.status, message: errorOf(unknownTemplate).message }).toEqual({ status: 404, message: expect.stringContaining('no-such-template') });
  });
});
