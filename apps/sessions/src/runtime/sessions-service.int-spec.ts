import { AGENT_TOKEN_PUBLIC_KEY_KV_KEY, agentTokenKeysBucket } from '@baton/agent-auth';
import { RunnerStartSchema, registry } from '@baton/events';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { agentTokenPublicKey, verifyAgentToken } from '../launch/agent-token';
import { id, snapshot, SessionsHarness, TEST_SECRET } from './__tests__/sessions-harness';

const command = (type: string) => registry.command(type)!;

describe('sessions service, running for real (NATS + Postgres, built process)', () => {
  let ns: TestNamespace;
  let h: SessionsHarness;
  let service: Awaited<ReturnType<typeof startService>>;

  beforeAll(async () => {
    ns = await createTestNamespace();
    service = await startService('sessions', {
      ...ns.env,
      BATON_AGENT_TOKEN_SECRET: TEST_SECRET,
      BATON_PUBLIC_API_URL: 'http://gateway.test:3100',
      BATON_TIMERS_INTERVAL_MS: '250',
    });
    h = await SessionsHarness.open(ns);
    await h.waitUntilServing();
  });
  afterAll(async () => {
    await service?.stop();
    await h?.close();
    await ns?.cleanup();
  });

  it('places a session on a live runner and sends that runner a start it can run', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const runner = await h.runner(id('r'), 2, { os: 'linux', ...pool });
    const sessionId = await h.spawn({ projectId, name: 'first', prompt: 'do the thing', runnerLabels: pool });

    const { data: start, msg } = await runner.next('start', sessionId);
    expect(RunnerStartSchema.safeParse(start).success).toBe(true);
    expect(msg.subject).toBe(`${ns.namespace}.cmd.runner.${runner.runnerId}.start`);
    expect(msg.headers?.get('Nats-Msg-Id')).toMatch(/^start-/);
    expect(start).toMatchObject({ sessionId, projectId, run: 0, kind: 'agent', workspace: { kind: 'project' }, repository: { location: `/srv/${projectId}`, defaultBranch: 'main' } });
    const env = start.launch.env;
    expect(env).toMatchObject({ BATON_SESSION_ID: sessionId, BATON_API_URL: 'http://gateway.test:3100', FROM_PROJECT: 'yes' });
    const verdict = verifyAgentToken(env.BATON_TOKEN, agentTokenPublicKey(TEST_SECRET), new Date().toISOString());
    expect(verdict).toMatchObject({ ok: true, claims: { sessionId, projectId, attemptId: null, taskIds: [], role: 'worker', parentSessionId: null } });
    // The gateway checks it with the public key the service published, never with the secret.
    const published = await (await h.broker.kv(agentTokenKeysBucket(ns.namespace))).get(AGENT_TOKEN_PUBLIC_KEY_KV_KEY);
    expect(published?.string()).toBe(agentTokenPublicKey(TEST_SECRET));
    expect(start.launch.files.find((f) => f.exportAs === 'BATON_PROMPT_FILE')?.content).toContain('do the thing');

    // The runner reports back as apps/runner will: spawned, then the agent registers.
    await h.status(sessionId, 'spawning');
    await runner.spawned(sessionId, { register: true });
    await h.status(sessionId, 'idle');

    // Input and stop reach the runner that hosts it.
    await h.ok(command('session.send_input'), { sessionId, text: 'continue please', kind: 'follow_up' });
    expect((await runner.next('input', sessionId)).data).toEqual({ sessionId, data: 'continue please', submit: true });
    await h.ok(command('session.stop'), { sessionId, reason: 'enough' });
    expect((await runner.next('stop', sessionId)).data).toMatchObject({ sessionId, cleanup: true });
    await h.status(sessionId, 'stopped');
    expect(runner.of('start', sessionId)).toHaveLength(1);

    // The log alone replays it.
    const replay = await h.queries.ask<{ status: string; statuses: { status: string }[] }>('sessions', 'replay_session', { sessionId });
    expect(replay.status).toBe('stopped');
    // The agent registered itself, so it reports its own status: typing does not make it `working`.
    expect(replay.statuses.map((s) => s.status)).toEqual(['pending', 'spawning', 'idle', 'stopped']);
    const transcript = await h.queries.ask<{ content: string }>('sessions', 'export_transcript', { sessionId });
    expect(transcript.content).toContain('continue please');
    const cast = await h.queries.ask<{ content: string; truncated: boolean }>('sessions', 'export_asciicast', { sessionId });
    expect(JSON.parse(cast.content.split('\n')[0])).toMatchObject({ version: 2 });
  });

  it('keeps sessions pending, in order, while no runner can take them; places them in that order when one comes', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const labels = { pool: id('pool') };
    const queue = [];
    for (let i = 0; i < 3; i++) queue.push(await h.spawn({ projectId, runnerLabels: labels, name: `q${i}` }));
    await new Promise((r) => setTimeout(r, 1_500)); // several scheduler ticks
    const pending = await h.queries.ask<{ id: string; position: number; status: string }[]>('sessions', 'pending_queue', { projectId });
    expect(pending.map((p) => [p.id, p.position, p.status])).toEqual(queue.map((s, i) => [s, i + 1, 'pending']));

    const runner = await h.runner(id('r'), 1, labels);
    await h.status(queue[0], 'spawning');
    await runner.next('start', queue[0]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.session(queue[1])).status).toBe('pending');
    expect((await h.session(queue[2])).status).toBe('pending');
    // The first ends: its slot goes to the next in line, not the last.
    await h.ok(command('session.stop'), { sessionId: queue[0] });
    await h.status(queue[1], 'spawning');
    expect((await h.session(queue[2])).status).toBe('pending');
  });

  it('fails a session whose agent does not register in time', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const runner = await h.runner(id('r'), 1, pool);
    const sessionId = await h.spawn({ projectId, runnerLabels: pool, template: snapshot({ registration: 'agent', registrationTimeoutMs: 2_500 }) });
    await runner.next('start', sessionId);
    await runner.spawned(sessionId); // the process runs, the agent never calls `baton register`
    const s = await h.status(sessionId, 'failed', 8_000);
    expect(s.statusReason).toMatch(/registration timeout/);
    expect((await runner.next('stop', sessionId)).data.sessionId).toBe(sessionId);
  });

  it('puts `stalled` on the timeline of a session without output or reports for stallAfterMs', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const runner = await h.runner(id('r'), 1, pool);
    const sessionId = await h.spawn({ projectId, runnerLabels: pool, template: snapshot({ kind: 'command', registration: 'on_spawn', stallAfterMs: 1_000, stallAction: 'notify' }) });
    await runner.next('start', sessionId);
    await runner.spawned(sessionId, { output: new Date().toISOString() });
    await h.status(sessionId, 'working');
    await h.status(sessionId, 'stalled', 8_000);
    // The status row and the timeline are two read models: wait for the timeline too.
    const timeline = await eventually(async () => {
      const t = await h.queries.ask<{ items: { kind: string; message: string }[] }>('sessions', 'session_timeline', { sessionId });
      return t.items.some((e) => e.kind === 'stalled') ? t : undefined;
    }, 10_000, 'the stalled entry on the timeline');
    expect(timeline.items.map((e) => e.kind)).toContain('stalled');
    // Output again: the watchdog sees it in the heartbeat and the session works again.
    runner.hosted.set(sessionId, new Date(Date.now() + 500).toISOString());
    await runner.heartbeat();
    await h.status(sessionId, 'working', 8_000);
  });

  it('refuses a second session in an attempt while the first holds it (409)', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const attemptId = id('a');
    const base = { projectId, templateId: 'test-agent', template: snapshot(), attemptId, taskId: id('t') };
    const first = await h.send(command('session.spawn_in_attempt'), { ...base, sessionId: id() });
    expect(first.status).toBe('accepted');
    const second = await h.send(command('session.spawn_in_attempt'), { ...base, sessionId: id() });
    expect(second).toMatchObject({ status: 'rejected', code: 'conflict' });
  });

  it('resumes a session waiting for its quota once the reset time passed, typing the resume input', async () => {
    const projectId = id('p');
    await h.project(projectId);
    const pool = { pool: id('pool') };
    const runner = await h.runner(id('r'), 1, pool);
    const quota = { pattern: 'limit reached, resets in (?<reset>\\d+s)', resumeInput: 'go on\r', defaultWaitMs: 60_000 };
    const sessionId = await h.spawn({ projectId, runnerLabels: pool, template: snapshot({ registration: 'on_spawn', quota }) });
    await runner.next('start', sessionId);
    await runner.spawned(sessionId);
    await h.status(sessionId, 'idle');
    await h.ok(command('session.record_output_match'), { sessionId, runnerId: runner.runnerId, pattern: 'quota', text: 'limit reached, resets in 1s', groups: { reset: '1s' } }, runner.actor);
    await h.status(sessionId, 'waiting_quota');
    await h.status(sessionId, 'idle', 8_000);
    expect((await runner.next('input', sessionId)).data.data).toBe('go on\r');
  });

  it('respects project, template and runner caps; what is left waits pending', async () => {
    const tick = () => new Promise((r) => setTimeout(r, 1_200));
    const pool = { pool: id('pool') };
    await h.runner(id('r'), 2, pool);
    await h.runner(id('r'), 2, pool);

    // Project cap 1: the project's second session waits; another project's session goes ahead.
    const capped = id('p');
    const free = id('p');
    await h.project(capped, 1);
    await h.project(free);
    const a = await h.spawn({ projectId: capped, runnerLabels: pool });
    const b = await h.spawn({ projectId: capped, runnerLabels: pool });
    const c = await h.spawn({ projectId: free, runnerLabels: pool });
    await h.status(a, 'spawning');
    await h.status(c, 'spawning');
    await tick();
    expect((await h.session(b)).status).toBe('pending');

    // Template cap 1 (a shared credential), defined as a template of the installation.
    const templateId = id('tpl');
    const template = snapshot({ maxConcurrent: 1 });
    await h.ok(command('session_template.define'), { templateId, projectId: null, spec: template.spec });
    const d = await h.spawn({ projectId: free, runnerLabels: pool, templateId, template });
    const e = await h.spawn({ projectId: free, runnerLabels: pool, templateId, template });
    await h.status(d, 'spawning');
    await tick();
    expect((await h.session(e)).status).toBe('pending');

    // Runner capacity: two runners of 2 hold a, c, d; one slot is left, then none.
    const f = await h.spawn({ projectId: free, runnerLabels: pool });
    const g = await h.spawn({ projectId: free, runnerLabels: pool });
    await h.status(f, 'spawning');
    await tick();
    expect((await h.session(g)).status).toBe('pending');
    // The scheduler says why each one waits.
    const reasons = async () => {
      const waiting = await h.queries.ask<{ items: { sessionId: string; reason: string }[] }>('sessions', 'scheduler_waiting', {});
      return Object.fromEntries(waiting.items.filter((w) => [b, e, g].includes(w.sessionId)).map((w) => [w.sessionId, w.reason]));
    };
    const expected = { [b]: 'project_cap', [e]: 'template_cap', [g]: 'no_free_runner' };
    await eventually(async () => JSON.stringify(await reasons()) === JSON.stringify(expected), 5_000, 'waiting reasons').catch(async (err) => {
      expect(await reasons()).toEqual(expected);
      throw err;
    });

    // Ending the project's session lets its next one in.
    await h.ok(command('session.stop'), { sessionId: a });
    await h.status(b, 'spawning');
  });
});
