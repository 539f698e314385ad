import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { agentTokenPublicKey, readAgentTokenTimes, verifyAgentToken } from '@baton/agent-auth';
import type { SessionExport } from '@baton/contracts';
import { AgentTokenReplySchema } from '@baton/events';
import { Broker } from '@baton/event-store';
import { eventually, sleep, startService } from '@baton/testing';
import { Api } from './harness/api';
import { AGENT_SECRET, projectRepo, Stack } from './harness/stack';

/*
 * Session tokens live short and are renewed while their session lives (decision 0024), with
 * the whole product: the sessions service signs tokens that live TTL, the runner keeps the
 * session's BATON_TOKEN_FILE fresh by asking the sessions service over NATS, and `baton` inside
 * the session (a real PTY on the runner) reads that file, so it keeps working long past the
 * first token's expiry — while the same first token from BATON_TOKEN alone is refused.
 */
const TTL = 6_000;
const RUNNER = 'tok-1';
/** What the gateway checks tokens with: published by the sessions service, which alone holds AGENT_SECRET. */
const PUBLIC_KEY = agentTokenPublicKey(AGENT_SECRET);

// The prober: registers, then reports a milestone every second through `baton`; once the
// first token has expired it also tries the environment's token alone (BATON_TOKEN_FILE unset).
const PROBER = `
baton session register --agent token-prober >/dev/null || echo "REGISTER-FAILED"
start=$(date +%s); n=0; tried=0
while :; do
  n=$((n+1))
  out=$(baton report milestone "tick $n" 2>&1) || echo "TICK-FAILED $n: $out"
  if [ $tried = 0 ] && [ $(( $(date +%s) - start )) -ge ${Math.ceil((TTL * 1.5) / 1000)} ]; then
    tried=1
    if env=$(BATON_TOKEN_FILE= baton report milestone "env only" 2>&1); then echo "ENV-ONLY-ACCEPTED"; else echo "ENV-ONLY-REFUSED: $env"; fi
  fi
  sleep 1
done
`;

describe('session tokens live short and are renewed while the session lives', () => {
  let stack: Stack;
  let broker: Broker;

  beforeAll(async () => {
    stack = await Stack.start({ runners: [{ id: RUNNER, capacity: 2 }], sessionsEnv: { BATON_AGENT_TOKEN_TTL_MS: String(TTL) } });
    broker = await Broker.connect({ servers: stack.ns.natsUrl, namespace: stack.ns.namespace });
  }, 240_000);
  afterAll(async () => {
    await broker?.close();
    await stack?.stop();
  }, 60_000);

  const sessionDir = (sessionId: string) => join(stack.runner(RUNNER).dataDir, 'sessions', sessionId);
  const tokenFiles = (sessionId: string) => readdirSync(sessionDir(sessionId)).filter((f) => f.startsWith('baton-token-'));
  const cast = async (sessionId: string) => (await stack.api.get<SessionExport>(`/api/sessions/${sessionId}/export`, { format: 'cast' })).content;
  // The template's project is checked in a read model that follows the project's creation by a moment.
  const defineTemplate = (projectId: string, spec: Record<string, unknown>) =>
    eventually(() => stack.api.defineTemplate(projectId, spec).catch(() => null), 10_000, 'the template defined');
  const askRenewal = async (sessionId: string) =>
    AgentTokenReplySchema.parse((await broker.nc.request(broker.names.agentToken(RUNNER), JSON.stringify({ sessionId }), { timeout: 5_000 })).json());

  it("keeps the session's token file fresh, the CLI inside keeps working past the first token's expiry, and it all stops when the session ends", async () => {
    const { api } = stack;
    const repo = projectRepo(stack);
    const projectId = await api.createProject('token-renewal', repo.location);
    const template = await defineTemplate(projectId, { name: 'Token prober', kind: 'agent', argv: ['bash', '-c', PROBER], registration: 'agent', registrationTimeoutMs: 30_000 });
    const sessionId = await api.spawn(projectId, { templateId: template.id }, template.seq);
    await api.waitStatus(sessionId, ['idle', 'working'], 45_000);

    // The runner's file: one per start, 0600, a token of this session that lives TTL, replaced as it ages.
    const [file] = await eventually(() => (tokenFiles(sessionId).length ? tokenFiles(sessionId) : null), 10_000, 'the token file');
    const path = join(sessionDir(sessionId), file);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Watched until `baton` in the session has reported through more than two and a half token lifetimes.
    const seen: string[] = [];
    const ticks = async () => (await api.timeline(sessionId)).filter((t) => t.kind === 'milestone' && t.message.startsWith('tick '));
    const span = (t: { at: string }[]) => (t.length ? Date.parse(t.at(-1)!.at) - Date.parse(t[0].at) : 0);
    const deadline = Date.now() + 60_000;
    let lastCheck = 0;
    for (;;) {
      const token = readFileSync(path, 'utf8').trim();
      if (seen.at(-1) !== token) seen.push(token);
      if (Date.now() - lastCheck > 1_000) {
        lastCheck = Date.now();
        if (span(await ticks()) > TTL * 2.5) break;
        if (Date.now() > deadline) throw new Error(`the session did not report through 2.5 token lifetimes within a minute:\n${await cast(sessionId)}`);
      }
      await sleep(200);
    }
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const token of seen) {
      const claims = verifyAgentToken(token, PUBLIC_KEY, new Date(readAgentTokenTimes(token)!.issuedAt).toISOString());
      expect(claims).toMatchObject({ sessionId, projectId, role: 'worker' });
      const times = readAgentTokenTimes(token)!;
      expect(times.expiresAt - times.issuedAt).toBe(TTL);
    }
    const first = seen[0];
    const latest = seen.at(-1)!;
    // The first token (also the session's BATON_TOKEN) has expired; the one in the file works.
    expect((await new Api(stack.gatewayUrl, first).request('GET', '/api/agents/me')).status).toBe(401);
    expect((await new Api(stack.gatewayUrl, readFileSync(path, 'utf8').trim()).request('GET', '/api/agents/me')).status).toBe(200);

    // `baton` in the session reported every second, through several token lifetimes, without one refusal.
    const timeline = await api.timeline(sessionId);
    const terminal = await cast(sessionId);
    expect(terminal).not.toContain('TICK-FAILED');
    expect(terminal).not.toContain('REGISTER-FAILED');
    expect(terminal).toContain('ENV-ONLY-REFUSED');
    expect(terminal).toMatch(/ENV-ONLY-REFUSED: baton: not signed in or the token was refused \(HTTP 401\): invalid or expired session token/);
    expect(timeline.some((t) => t.message === 'env only')).toBe(false);

    // The end: the runner stops renewing and removes the file; the sessions service renews no more;
    // the last token is refused at once although it has not expired.
    await api.post(`/api/sessions/${sessionId}/stop`, { reason: 'enough' });
    await api.waitEnded(sessionId, 30_000);
    await eventually(() => tokenFiles(sessionId).length === 0, 10_000, 'the token file removed');
    expect(await askRenewal(sessionId)).toEqual({ ok: false, code: 'not_live', message: `session ${sessionId} is stopped: its token is not renewed` });
    const refused = await eventually(async () => {
      const r = await new Api(stack.gatewayUrl, latest).request<{ error: { message: string } }>('GET', '/api/agents/me');
      return r.status === 401 ? r : null;
    }, 5_000, 'the last token refused');
    expect(refused.body.error.message).toBe(`session ${sessionId} has ended: its token no longer works`);
    await sleep(TTL);
    expect(tokenFiles(sessionId)).toEqual([]);
  }, 150_000);

  it('a sessions service that is away past the expiry does not end the session: once it is back the token is renewed and the CLI works again', async () => {
    const { api } = stack;
    const projectId = await api.createProject('token-renewal-outage', projectRepo(stack).location);
    const template = await defineTemplate(projectId, { name: 'Token prober', kind: 'agent', argv: ['bash', '-c', PROBER], registration: 'agent', registrationTimeoutMs: 30_000 });
    const sessionId = await api.spawn(projectId, { templateId: template.id }, template.seq);
    try {
      await api.waitStatus(sessionId, ['idle', 'working'], 45_000);
      const [file] = await eventually(() => (tokenFiles(sessionId).length ? tokenFiles(sessionId) : null), 10_000, 'the token file');
      const path = join(sessionDir(sessionId), file);
      const sessions = stack.services.find((s) => s.name === 'sessions')!;
      await sessions.kill9();
      const stale = readFileSync(path, 'utf8').trim();
      await sleep(TTL * 1.5);
      // Expired and not renewable meanwhile; the agent's process runs on, in its file the last token it had.
      expect(Date.now()).toBeGreaterThan(readAgentTokenTimes(stale)!.expiresAt);
      expect(readFileSync(path, 'utf8').trim()).toBe(stale);

      const back = await startService('sessions', { ...stack.ns.env, LOG_LEVEL: 'warn', BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: stack.gatewayUrl, BATON_AGENT_TOKEN_TTL_MS: String(TTL) }, { name: 'sessions' });
      stack.services.push(back);
      const fresh = await eventually(() => {
        const token = readFileSync(path, 'utf8').trim();
        return token !== stale ? token : null;
      }, 30_000, 'a renewed token');
      expect(verifyAgentToken(fresh, PUBLIC_KEY)).toMatchObject({ sessionId });
      const failedBefore = ((await cast(sessionId)).match(/TICK-FAILED (\d+)/g) ?? []).map((m) => Number(m.split(' ')[1]));
      expect(failedBefore.length).toBeGreaterThan(0);
      const lastFailed = Math.max(...failedBefore);
      // A tick after the last failure lands: `baton` took the renewed token from the file.
      const tickNumber = (message: string) => Number(/^tick (\d+)$/.exec(message)?.[1] ?? NaN);
      await eventually(async () => (await api.timeline(sessionId)).some((t) => t.kind === 'milestone' && tickNumber(t.message) > lastFailed), 30_000, 'ticks again');
      expect((await api.session(sessionId)).endedAt).toBeNull();
    } finally {
      await api.post(`/api/sessions/${sessionId}/stop`, { reason: 'done' }).catch(() => undefined);
    }
  }, 150_000);

  it('renews only for the runner hosting a live session: another runner, an unknown session and a malformed request are refused', async () => {
    const { api } = stack;
    const projectId = await api.createProject('token-renewal-2', projectRepo(stack).location);
    const template = await defineTemplate(projectId, { name: 'Sleeper', kind: 'agent', argv: ['bash', '-c', 'baton session register --agent sleeper && exec sleep 600'], registration: 'agent' });
    const sessionId = await api.spawn(projectId, { templateId: template.id }, template.seq);
    try {
      await api.waitStatus(sessionId, ['idle'], 45_000);
      const mine = await askRenewal(sessionId);
      expect(mine).toMatchObject({ ok: true });
      expect(mine.ok && verifyAgentToken(mine.token, PUBLIC_KEY)).toMatchObject({ sessionId, projectId });
      const ask = async (runnerId: string, body: unknown) =>
        AgentTokenReplySchema.parse((await broker.nc.request(broker.names.agentToken(runnerId), JSON.stringify(body), { timeout: 5_000 })).json());
      expect(await ask('someone-else', { sessionId })).toEqual({ ok: false, code: 'not_live', message: `session ${sessionId} does not run on runner someone-else` });
      expect(await ask(RUNNER, { sessionId: 'snosuchsession' })).toEqual({ ok: false, code: 'not_live', message: 'session snosuchsession is not known' });
      expect(await ask(RUNNER, { sessionId, claims: { role: 'orchestrator' } })).toMatchObject({ ok: false, code: 'validation' });
    } finally {
      await api.post(`/api/sessions/${sessionId}/stop`, { reason: 'done' }).catch(() => undefined);
    }
  }, 90_000);
});
