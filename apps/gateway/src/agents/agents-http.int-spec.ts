import { AgentSelf, CommandAccepted, SessionExport, SessionPage, SessionReplay, SessionView, TimelinePage, UsageRollup } from '@baton/contracts';
import { claimsForSession, type SessionRole } from '@baton/events';
import { eventually, sleep } from '@baton/testing';
import { connectLive } from '../live/__tests__/live-client';
import { errorOf } from '../openapi/__tests__/api-harness';
import { AGENT_SECRET, agentSpec, FakeRunner, startSessionsApi, type SessionsApi } from '../sessions/__tests__/sessions-api';

const NOWHERE = { runnerLabels: { pool: 'nowhere' } };

describe('agents over REST: session tokens reach their own session only; reports, usage and queues land in the timeline', () => {
  let api: SessionsApi;
  let runner: FakeRunner;
  let projectId: string;
  let agentTemplate: string;

  beforeAll(async () => {
    api = await startSessionsApi();
    runner = await new FakeRunner(api, `r${Date.now().toString(36)}`).start(4);
    projectId = await api.project('Agents');
    agentTemplate = (await api.accepted('POST', '/api/session-templates', { projectId, spec: agentSpec('Test agent') }, 201)).id;
  }, 90_000);
  afterAll(async () => {
    runner?.close();
    await api?.close();
  });

  const as = (token: string) => ({ token });
  const spawn = async (body: Record<string, unknown>) => {
    const spawned = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${api.seq}`, { templateId: agentTemplate, ...NOWHERE, ...body }, 201);
    return { id: spawned.id, seq: spawned.seq };
  };
  const tokenFor = (sessionId: string, o: { role?: SessionRole; taskIds?: string[]; parentSessionId?: string | null } = {}) =>
    api.agentToken(claimsForSession(sessionId, { projectId, attemptId: null, taskIds: o.taskIds ?? [], role: o.role ?? 'worker', parentSessionId: o.parentSessionId ?? null }));
  const session = async (id: string, minSeq = 0) => SessionView.parse((await api.call('GET', `/api/sessions/${id}?minSeq=${minSeq}`)).body);
  const until = (id: string, status: string) => eventually(async () => ((await session(id)).status === status ? true : null), 15_000, `${id} to be ${status}`);

  it('knows who it is, and reaches no route but the agent routes (403), while user tokens work as before', async () => {
    const a = await spawn({});
    const token = tokenFor(a.id);
    const me = await api.call('GET', '/api/agents/me', undefined, as(token));
    expect(me.status).toBe(200);
    expect(AgentSelf.parse(me.body)).toMatchObject({ sessionId: a.id, projectId, role: 'worker', canSpawnWorkers: false, attemptId: null });
    expect((await api.call('GET', '/api/agents/me')).status).toBe(403);

    const before = await api.logState();
    for (const [method, path, body] of [
      ['GET', '/api/projects', undefined],
      ['POST', '/api/projects', { name: 'x', repository: { location: '/x' } }],
      ['GET', `/api/projects/${projectId}/tasks`, undefined],
      ['GET', '/api/users', undefined],
      ['GET', '/api/me', undefined],
      ['POST', '/api/session-templates', { spec: agentSpec('x') }],
      ['POST', `/api/projects/${projectId}/sessions`, { templateId: 'shell' }],
      ['GET', '/api/runners', undefined],
      ['GET', `/api/sessions/${a.id}/replay`, undefined],
      ['GET', `/api/projects/${projectId}/usage`, undefined],
    ] as const) {
      const res = await api.call(method, path, body, as(token));
      expect({ method, path, status: res.status, code: errorOf(res).code }).toEqual({ method, path, status: 403, code: 'forbidden' });
    }
    expect(await api.logState()).toEqual(before);
    expect((await api.call('GET', '/api/me')).status).toBe(200);
  });

  it('refuses a tampered, expired or foreign-signed token with 401', async () => {
    const a = await spawn({});
    const good = tokenFor(a.id);
    const [prefix, payload, signature] = good.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { claims: { sessionId: string } };
    forged.claims.sessionId = 'someone-else';
    const tampered = `${prefix}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const claims = claimsForSession(a.id, { projectId, attemptId: null, taskIds: [], role: 'worker', parentSessionId: null });
    const expired = api.agentToken(claims, { issuedAt: new Date(Date.now() - 60_000).toISOString(), ttlMs: 1_000 });
    const foreign = api.agentToken(claims, { secret: `${AGENT_SECRET}-but-another` });
    for (const token of [tampered, expired, foreign]) {
      const res = await api.call('GET', '/api/agents/me', undefined, as(token));
      expect({ status: res.status, code: errorOf(res).code }).toEqual({ status: 401, code: 'unauthorized' });
    }
  });

  it("ends a session's token with the session: REST answers 401 and its live socket is dropped at once; it cannot connect again", async () => {
    const a = await spawn({});
    const token = tokenFor(a.id);
    expect((await api.call('GET', '/api/agents/me', undefined, as(token))).status).toBe(200);
    const socket = await connectLive(api.gateway.url, token);
    const dropped = new Promise<string>((resolve) => socket.once('error', (e) => resolve(e.message)));
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

    const stopped = await api.accepted('POST', `/api/sessions/${a.id}/stop`);
    expect((await session(a.id, stopped.seq)).status).toBe('stopped');
    const refused = await eventually(async () => {
      const res = await api.call('GET', '/api/agents/me', undefined, as(token));
      return res.status === 401 ? res : null;
    }, 5_000, 'the ended session\'s token to be refused');
    expect(errorOf(refused).message).toBe(`session ${a.id} has ended: its token no longer works`);
    expect(await dropped).toContain('has ended');
    await gone;
    await expect(connectLive(api.gateway.url, token)).rejects.toThrow(/has ended/);
    // Another session's token is untouched.
    const b = await spawn({});
    expect((await api.call('GET', '/api/agents/me', undefined, as(tokenFor(b.id)))).status).toBe(200);
  });

  it("keeps an agent's live socket past its token's expiry while the session lives (the runner renews the token, a socket cannot take the new one); an expired token is refused at the handshake", async () => {
    const a = await spawn({});
    const claims = claimsForSession(a.id, { projectId, attemptId: null, taskIds: [], role: 'worker', parentSessionId: null });
    const short = api.agentToken(claims, { ttlMs: 1_500 });
    const socket = await connectLive(api.gateway.url, short);
    const errors: string[] = [];
    socket.on('error', (e) => void errors.push(e.message));
    // Past the expiry and past the socket's re-check interval: what it asks still passes the re-check.
    await sleep(6_000);
    expect(await socket.timeout(10_000).emitWithAck('subscribe', { rooms: [`session:${a.id}`] })).toMatchObject({ ok: true });
    expect({ connected: socket.connected, errors }).toEqual({ connected: true, errors: [] });
    await expect(connectLive(api.gateway.url, short)).rejects.toThrow(/invalid or expired session token/);
    expect((await api.call('GET', '/api/agents/me', undefined, as(short))).status).toBe(401);
    // The end still drops it at once.
    const dropped = new Promise<string>((resolve) => socket.once('error', (e) => resolve(e.message)));
    await api.accepted('POST', `/api/sessions/${a.id}/stop`);
    expect(await dropped).toContain('has ended');
    socket.close();
  });

  it('lets an agent report only on its own session and tasks', async () => {
    const a = await spawn({});
    const b = await spawn({});
    const token = tokenFor(a.id);
    const before = await api.logState();
    for (const [path, body] of [
      [`/api/sessions/${b.id}/reports`, { kind: 'milestone', message: 'not mine' }],
      [`/api/sessions/${b.id}/status`, { status: 'working' }],
      [`/api/sessions/${b.id}/usage`, { inputTokens: 5 }],
      [`/api/sessions/${b.id}/register`, {}],
      [`/api/sessions/${b.id}/queue/next`, undefined],
      [`/api/sessions/${b.id}/stop`, {}],
      [`/api/sessions/${a.id}/reports`, { kind: 'task_completed', taskId: 'not-one-of-mine' }],
    ] as const) {
      const res = await api.call('POST', path, body, as(token));
      expect({ path, status: res.status, code: errorOf(res).code }).toEqual({ path, status: 403, code: 'forbidden' });
    }
    expect((await api.call('GET', `/api/sessions/${b.id}`, undefined, as(token))).status).toBe(403);
    expect((await api.call('GET', `/api/sessions/${b.id}/timeline`, undefined, as(token))).status).toBe(403);
    expect((await api.call('GET', `/api/sessions?projectId=${projectId}`, undefined, as(token))).status).toBe(403);
    expect(await api.logState()).toEqual(before);

    // Its own session: past the scope check, the session's decider answers (it has not started).
    const own = await api.call('POST', `/api/sessions/${a.id}/reports`, { kind: 'milestone', message: 'hello' }, as(token));
    expect({ status: own.status, code: errorOf(own).code }).toEqual({ status: 422, code: 'invalid_state' });
    expect((await api.call('GET', `/api/sessions/${a.id}`, undefined, as(token))).status).toBe(200);
  });

  it('lets an orchestrator start, list, talk to and stop workers of its own; a worker may not; an ended one may no more', async () => {
    const worker = await spawn({});
    const refused = await api.call('POST', `/api/sessions/${worker.id}/workers`, { templateId: 'shell', ...NOWHERE }, as(tokenFor(worker.id)));
    expect({ status: refused.status, message: errorOf(refused).message }).toEqual({ status: 403, message: expect.stringContaining('worker may not spawn') });

    const boss = await spawn({ role: 'orchestrator' });
    const token = tokenFor(boss.id, { role: 'orchestrator' });
    const elsewhere = await api.call('POST', `/api/sessions/${worker.id}/workers`, { templateId: 'shell', ...NOWHERE }, as(token));
    expect(elsewhere.status).toBe(403);

    const started = await api.accepted('POST', `/api/sessions/${boss.id}/workers?minSeq=${boss.seq}`, { templateId: 'shell', name: 'helper', ...NOWHERE }, 201, token);
    const child = SessionView.parse((await api.call('GET', `/api/sessions/${started.id}?minSeq=${started.seq}`, undefined, as(token))).body);
    expect(child).toMatchObject({ parentSessionId: boss.id, role: 'worker', origin: { kind: 'worker' }, name: 'helper' });
    const mine = SessionPage.parse((await api.call('GET', `/api/sessions?parentSessionId=${boss.id}&minSeq=${started.seq}`, undefined, as(token))).body);
    expect(mine.items.map((s) => s.id)).toEqual([started.id]);

    const said = await api.accepted('POST', `/api/sessions/${started.id}/input`, { text: 'please start' }, 200, token);
    expect(said.events.map((e) => e.type)).toEqual(['session.input_sent']);
    const ownInput = await api.call('POST', `/api/sessions/${boss.id}/input`, { text: 'talking to myself' }, as(token));
    expect(ownInput.status).toBe(403);
    await api.accepted('POST', `/api/sessions/${started.id}/stop`, { reason: 'done with you' }, 200, token);

    const stopped = await api.accepted('POST', `/api/sessions/${boss.id}/stop`);
    await session(boss.id, stopped.seq);
    const late = await api.call('POST', `/api/sessions/${boss.id}/workers`, { templateId: 'shell', ...NOWHERE }, as(token));
    // Refused by the session's scope (403) or, once the gateway heard of the end, its token (401).
    expect([401, 403]).toContain(late.status);
    expect(errorOf(late).message).toContain('has ended');
  });

  it('runs a session on a runner with the token the sessions service minted: register, status, reports, usage → timeline, usage, replay, export', async () => {
    const taskId = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title: 'Report things' }, 201)).id;
    const s = await spawn({ taskIds: [taskId], runnerLabels: { pool: runner.runnerId }, name: 'reporter' });
    const start = await runner.spawned(s.id);
    const token = start.launch.env.BATON_TOKEN;
    expect(token).toMatch(/^bat_s\./);
    expect(start.launch.env.BATON_API_URL).toBe(api.gateway.url);

    const self = AgentSelf.parse((await api.call('GET', '/api/agents/me', undefined, as(token))).body);
    expect(self).toMatchObject({ sessionId: s.id, taskIds: [taskId] });
    const registered = await api.accepted('POST', `/api/sessions/${s.id}/register`, { agent: 'int-spec-agent' }, 200, token);
    expect((await session(s.id, registered.seq)).status).toBe('idle');
    await api.accepted('POST', `/api/sessions/${s.id}/status`, { status: 'working', message: 'on it' }, 200, token);
    await api.accepted('POST', `/api/sessions/${s.id}/reports`, { kind: 'task_started', taskId }, 200, token);
    const progress = await api.accepted('POST', `/api/sessions/${s.id}/reports`, { kind: 'progress', message: 'halfway', progress: 0.5 }, 200, token);
    await api.accepted('POST', `/api/sessions/${s.id}/reports`, { kind: 'milestone', message: 'tests pass' }, 200, token);
    // A hook that retries with its Idempotency-Key reports once.
    const once = { token, headers: { 'Idempotency-Key': `report-${s.id}` } };
    const first = CommandAccepted.parse((await api.call('POST', `/api/sessions/${s.id}/reports`, { kind: 'error', message: 'flaky network' }, once)).body);
    const before = await api.logState();
    const resent = CommandAccepted.parse((await api.call('POST', `/api/sessions/${s.id}/reports`, { kind: 'error', message: 'flaky network' }, once)).body);
    expect(resent.commandId).toBe(first.commandId);
    expect((await api.logState()).events).toBe(before.events);
    await api.accepted('POST', `/api/sessions/${s.id}/usage`, { inputTokens: 1_000, outputTokens: 200, costUsd: 0.25, model: 'test-model' }, 200, token);
    const usage = await api.accepted('POST', `/api/sessions/${s.id}/usage`, { inputTokens: 500, cacheReadTokens: 50, costUsd: 0.5 }, 200, token);

    const timeline = TimelinePage.parse((await api.call('GET', `/api/sessions/${s.id}/timeline?kinds=progress,milestone&minSeq=${usage.seq}`, undefined, as(token))).body);
    expect(timeline.items.filter((e) => e.source === 'agent').map((e) => [e.kind, e.message, e.progress])).toEqual([
      ['progress', 'halfway', 0.5],
      ['milestone', 'tests pass', null],
    ]);
    const cut = TimelinePage.parse((await api.call('GET', `/api/sessions/${s.id}/timeline?untilSeq=${progress.seq}&kinds=progress,milestone`)).body);
    expect(cut.items.map((e) => e.message)).not.toContain('tests pass');
    expect(cut.items.map((e) => e.message)).toContain('halfway');
    const atMilestone = TimelinePage.parse((await api.call('GET', `/api/sessions/${s.id}/timeline?until=${encodeURIComponent(cut.items[cut.items.length - 1].at)}`)).body);
    expect(atMilestone.items.length).toBeGreaterThan(0);

    const row = await session(s.id, usage.seq);
    expect(row).toMatchObject({ status: 'working', items: [{ taskId, status: 'processing' }], usage: { inputTokens: 1_500, outputTokens: 200, cacheReadTokens: 50, costUsd: 0.75 } });
    const rollup = UsageRollup.parse((await api.call('GET', `/api/projects/${projectId}/usage?minSeq=${usage.seq}`)).body);
    expect(rollup).toMatchObject({ projectId, inputTokens: 1_500, outputTokens: 200, costUsd: 0.75, sessions: 1 });
    expect(UsageRollup.parse((await api.call('GET', `/api/projects/${projectId}/usage?taskId=${taskId}&sessionId=${s.id}`)).body)).toMatchObject({ taskId, sessionId: s.id, inputTokens: 1_500 });

    const then = SessionReplay.parse((await api.call('GET', `/api/sessions/${s.id}/replay?untilSeq=${registered.seq}`)).body);
    expect(then.status).toBe('idle');
    const now = SessionReplay.parse((await api.call('GET', `/api/sessions/${s.id}/replay`)).body);
    expect(now.statuses.map((x) => x.status)).toEqual(['pending', 'spawning', 'idle', 'working']);
    expect(now.usage.costUsd).toBe(0.75);

    const md = SessionExport.parse((await api.call('GET', `/api/sessions/${s.id}/export?format=md`)).body);
    expect(md).toMatchObject({ format: 'markdown', fileName: `${s.id}.md` });
    expect(md.content).toContain('halfway');
    const cast = SessionExport.parse((await api.call('GET', `/api/sessions/${s.id}/export`)).body);
    expect(JSON.parse(cast.content.split('\n')[0])).toMatchObject({ version: 2 });

    const done = await api.accepted('POST', `/api/sessions/${s.id}/status`, { status: 'completed', message: 'all done' }, 200, token);
    expect((await session(s.id, done.seq)).status).toBe('completed');
    // Its token ended with it (refused as soon as the gateway heard; the decider refuses a report on an ended session anyway)...
    const late = await api.call('POST', `/api/sessions/${s.id}/reports`, { kind: 'milestone', message: 'one more thing' }, as(token));
    expect([{ status: 401, code: 'unauthorized' }, { status: 422, code: 'invalid_state' }]).toContainEqual({ status: late.status, code: errorOf(late).code });
    await eventually(async () => (await api.call('GET', '/api/agents/me', undefined, as(token))).status === 401, 5_000, 'the ended token to be refused');
    // ...but its hooks report usage after the end: that still counts (for LATE_REPORT_GRACE_MS).
    const after = await api.accepted('POST', `/api/sessions/${s.id}/usage`, { outputTokens: 10 }, 200, token);
    expect((await session(s.id, after.seq)).usage.outputTokens).toBe(210);
  });

  it('works a queue: next, complete, skip — the drained queue completes the session', async () => {
    const t1 = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title: 'Queue one' }, 201)).id;
    const t2 = (await api.accepted('POST', `/api/projects/${projectId}/tasks`, { title: 'Queue two' }, 201)).id;
    const q = await spawn({ strategy: 'queue', taskIds: [t1, t2], runnerLabels: { pool: runner.runnerId } });
    const token = (await runner.spawned(q.id)).launch.env.BATON_TOKEN;
    await api.accepted('POST', `/api/sessions/${q.id}/register`, undefined, 200, token);
    const next = await api.accepted('POST', `/api/sessions/${q.id}/queue/next`, undefined, 200, token);
    expect((await session(q.id, next.seq)).items).toEqual([
      { taskId: t1, status: 'processing' },
      { taskId: t2, status: 'queued' },
    ]);
    const busy = await api.call('POST', `/api/sessions/${q.id}/queue/next`, undefined, as(token));
    expect({ status: busy.status, message: errorOf(busy).message }).toEqual({ status: 409, message: expect.stringContaining(t1) });
    await api.accepted('POST', `/api/sessions/${q.id}/queue/complete`, { message: 'first done' }, 200, token);
    const skipped = await api.accepted('POST', `/api/sessions/${q.id}/queue/skip`, { taskId: t2, reason: 'not needed' }, 200, token);
    expect(await session(q.id, skipped.seq)).toMatchObject({ status: 'completed', items: [{ taskId: t1, status: 'completed' }, { taskId: t2, status: 'skipped' }] });
    await until(q.id, 'completed');
    expect(CommandAccepted.safeParse(next).success).toBe(true);
  });
});
