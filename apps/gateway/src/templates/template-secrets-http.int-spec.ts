import { SessionExport, SessionView, TemplateList, TemplateView, TimelinePage } from '@baton/contracts';
import { SECRET_ENV_MARKER } from '@baton/events';
import { eventually } from '@baton/testing';
import { errorOf } from '../openapi/__tests__/api-harness';
import { FakeRunner, startSessionsApi, type SessionsApi } from '../sessions/__tests__/sessions-api';

/** Security #12 item 4: a template's secret env values are write-only over REST. */
describe('secret template env over REST', () => {
  let api: SessionsApi;
  let runner: FakeRunner;
  let projectId: string;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    api = await startSessionsApi();
    runner = await new FakeRunner(api, `secrets${Date.now().toString(36)}`).start(4);
    projectId = await api.project('Secrets');
    [viewer, operator] = await Promise.all([api.user('viewer', projectId), api.user('operator', projectId)]);
  }, 90_000);
  afterAll(async () => {
    runner?.close();
    await api?.close();
  });

  const M = SECRET_ENV_MARKER;
  const CLEAR = /sk-live-123|licence-L1/;
  const spec = () => ({
    name: 'Secret agent',
    kind: 'command',
    argv: ['sleep', '1000'],
    env: { OPENAI_API_KEY: 'sk-live-123', LICENSE: 'licence-L1', MODE: 'fast' },
    secretEnv: ['LICENSE'],
    runnerLabels: { pool: runner.runnerId },
  });
  const read = async (id: string, token: string, minSeq: number) => {
    const res = await api.call('GET', `/api/session-templates/${id}?projectId=${projectId}&minSeq=${minSeq}`, undefined, { token });
    expect({ status: res.status, clear: CLEAR.test(res.text) }).toEqual({ status: 200, clear: false });
    return TemplateView.parse(res.body);
  };

  it('shows viewers and operators the marker, never the value, in every template read', async () => {
    const defined = await api.accepted('POST', '/api/session-templates', { projectId, spec: spec() }, 201, operator);
    for (const token of [viewer, operator]) {
      const t = await read(defined.id, token, defined.seq);
      expect(t.spec.env).toEqual({ OPENAI_API_KEY: M, LICENSE: M, MODE: 'fast' });
      expect({ redactedEnv: t.redactedEnv, secretEnv: t.spec.secretEnv }).toEqual({ redactedEnv: ['LICENSE', 'OPENAI_API_KEY'], secretEnv: ['LICENSE'] });
      for (const path of [`/api/projects/${projectId}/session-templates`, `/api/session-templates?projectId=${projectId}`]) {
        const list = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}minSeq=${defined.seq}`, undefined, { token });
        expect({ path, status: list.status, clear: CLEAR.test(list.text) }).toEqual({ path, status: 200, clear: false });
        expect(TemplateList.parse(list.body).find((x) => x.id === defined.id)?.spec.env.OPENAI_API_KEY).toBe(M);
      }
    }
  });

  it('keeps the stored values through an update that sends the marker back or leaves a marked value out, and the runner gets them', async () => {
    const defined = await api.accepted('POST', '/api/session-templates', { projectId, spec: spec() }, 201, operator);
    const before = await read(defined.id, operator, defined.seq);
    // What a client read, sent back with one change: the marker for the key, LICENSE left out.
    const { LICENSE: _left, ...env } = before.spec.env;
    const updated = await api.accepted('POST', '/api/session-templates', { id: defined.id, projectId, spec: { ...spec(), env: { ...env, MODE: 'slow' } } }, 201, operator);
    const after = await read(defined.id, viewer, updated.seq);
    expect({ version: after.version, env: after.spec.env }).toEqual({ version: 2, env: { OPENAI_API_KEY: M, LICENSE: M, MODE: 'slow' } });
    // The read sent back unchanged adds no version.
    expect((await api.accepted('POST', '/api/session-templates', { id: defined.id, projectId, spec: { ...spec(), env: after.spec.env } }, 201, operator)).events).toEqual([]);

    const s = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${updated.seq}`, { templateId: defined.id }, 201, operator);
    const start = await runner.spawned(s.id);
    expect(start.launch.env).toMatchObject({ OPENAI_API_KEY: 'sk-live-123', LICENSE: 'licence-L1', MODE: 'slow' });

    // The session's own reads and exports never carry the pinned template's values.
    for (const path of [`/api/sessions/${s.id}`, `/api/sessions/${s.id}/timeline`, `/api/sessions/${s.id}/replay`, `/api/sessions/${s.id}/export?format=md`, `/api/sessions/${s.id}/export?format=cast`]) {
      const res = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}minSeq=${s.seq}`, undefined, { token: viewer });
      expect({ path, status: res.status, clear: CLEAR.test(res.text) }).toEqual({ path, status: 200, clear: false });
    }
    expect(SessionView.parse((await api.call('GET', `/api/sessions/${s.id}`)).body).templateVersion).toBe(2);
    expect(TimelinePage.parse((await api.call('GET', `/api/sessions/${s.id}/timeline`)).body).items.length).toBeGreaterThan(0);
    expect(SessionExport.parse((await api.call('GET', `/api/sessions/${s.id}/export?format=md`)).body).content).toContain('Secret agent');
  });

  it('cuts the values out of the timeline when a start fails printing them', async () => {
    const defined = await api.accepted('POST', '/api/session-templates', { projectId, spec: spec() }, 201, operator);
    const s = await api.accepted('POST', `/api/projects/${projectId}/sessions?minSeq=${defined.seq}`, { templateId: defined.id }, 201, operator);
    // The runner's setup script failed and its output names the values (a script that echoes its env).
    await eventually(() => runner.starts.find((x) => x.sessionId === s.id), 20_000, `a start for ${s.id}`);
    const error = 'setup script exited with 1: OPENAI_API_KEY=sk-live-123 LICENSE=licence-L1';
    const { seq: minSeq } = await api.send('session.record_spawn_failed', { sessionId: s.id, runnerId: runner.runnerId, error }, runner.actor);
    const timeline = await api.call('GET', `/api/sessions/${s.id}/timeline?minSeq=${minSeq}`, undefined, { token: viewer });
    expect(timeline.status).toBe(200);
    expect(timeline.text).toContain(`OPENAI_API_KEY=${M}`);
    expect(CLEAR.test(timeline.text)).toBe(false);
    const view = await api.call('GET', `/api/sessions/${s.id}?minSeq=${minSeq}`, undefined, { token: viewer });
    expect(CLEAR.test(view.text)).toBe(false);
  });

  it('refuses the marker where no value is stored, naming the variable, and appends nothing', async () => {
    const before = await api.logState();
    const res = await api.call('POST', '/api/session-templates', { projectId, spec: { ...spec(), env: { OPENAI_API_KEY: M } } }, { token: operator });
    expect({ status: res.status, error: errorOf(res) }).toEqual({ status: 400, error: expect.objectContaining({ code: 'validation', message: expect.stringContaining('env.OPENAI_API_KEY') }) });
    expect((await api.logState()).events).toBe(before.events);
  });
});
