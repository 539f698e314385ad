import { signAgentToken } from '@baton/agent-auth';
import { claimsForSession } from '@baton/events';
import { AgentAuthenticator } from './agent-authenticator';
import type { AgentTokenSecret } from './agent-token-secret';

const secret = 's'.repeat(40);
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: null, taskIds: ['t1'], role: 'orchestrator', parentSessionId: null });
const withSecret = (value: string | null) => ({ get: async () => value }) as unknown as AgentTokenSecret;
const live = { check: async () => ({ kind: 'live' as const }) };

describe(AgentAuthenticator.name, () => {
  it('turns a genuine session token into its agent, with no lookup', async () => {
    const sut = new AgentAuthenticator(withSecret(secret), live);
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({
      principal: { kind: 'agent', sessionId: 's1', claims: expect.objectContaining({ ...claims, canSpawnWorkers: true }) },
    });
  });

  it('refuses a token signed with another secret, or an expired one', async () => {
    const sut = new AgentAuthenticator(withSecret(secret), live);
    expect(await sut.authenticate(signAgentToken(claims, 'x'.repeat(40)))).toEqual({ error: 'invalid or expired session token' });
    const old = signAgentToken(claims, secret, '2020-01-01T00:00:00.000Z', 1_000);
    expect(await sut.authenticate(old)).toEqual({ error: 'invalid or expired session token' });
  });

  it('says why it cannot check any token before the secret is known', async () => {
    const sut = new AgentAuthenticator(withSecret(null), live);
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({ error: expect.stringContaining('BATON_AGENT_TOKEN_SECRET') });
  });

  it("refuses an ended session's token, and every token while the ended sessions cannot be read", async () => {
    const at = '2026-12-07T10:00:00.000Z';
    const ended = new AgentAuthenticator(withSecret(secret), { check: async (id: string) => (id === 's1' ? { kind: 'ended' as const, at } : { kind: 'live' as const }) });
    const token = signAgentToken(claims, secret, '2026-12-07T09:00:00.000Z', 24 * 3600_000);
    expect(await ended.authenticate(token, {}, '2026-12-07T10:00:01.000Z')).toEqual({ error: 'session s1 has ended: its token no longer works' });
    // Its hooks' usage, sent right after the end, still counts; later, not even that.
    expect(await ended.authenticate(token, { afterEnd: true }, '2026-12-07T10:01:00.000Z')).toMatchObject({ principal: { sessionId: 's1' } });
    expect(await ended.authenticate(token, { afterEnd: true }, '2026-12-07T10:03:00.000Z')).toEqual({ error: 'session s1 has ended: its token no longer works' });
    const unknown = new AgentAuthenticator(withSecret(secret), { check: async () => ({ kind: 'unknown' as const }) });
    expect(await unknown.authenticate(signAgentToken(claims, secret))).toEqual({ error: expect.stringContaining('cannot be checked yet') });
  });

  it('tells session tokens from user tokens by their prefix', () => {
    expect(AgentAuthenticator.looksLikeAgentToken(signAgentToken(claims, secret))).toBe(true);
    expect(AgentAuthenticator.looksLikeAgentToken('btn_abcdef')).toBe(false);
  });
});
