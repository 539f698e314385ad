import { createHmac } from 'node:crypto';
import { agentTokenPublicKey, signAgentToken } from '@baton/agent-auth';
import { claimsForSession } from '@baton/events';
import { AgentAuthenticator } from './agent-authenticator';
import { AgentAuthConfigSchema } from './agent-auth.config';

const secret = 's'.repeat(40);
const publicKey = agentTokenPublicKey(secret);
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: null, taskIds: ['t1'], role: 'orchestrator', parentSessionId: null });
const withKey = (value: string | null) => ({ get: async () => value });
const live = { check: async () => ({ kind: 'live' as const }) };

describe(AgentAuthenticator.name, () => {
  it('turns a genuine session token into its agent, with the public key alone and no lookup', async () => {
    const sut = new AgentAuthenticator(withKey(publicKey), live);
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({
      principal: { kind: 'agent', sessionId: 's1', claims: expect.objectContaining({ ...claims, canSpawnWorkers: true }) },
    });
  });

  it('refuses a token signed with another secret, or an expired one', async () => {
    const sut = new AgentAuthenticator(withKey(publicKey), live);
    expect(await sut.authenticate(signAgentToken(claims, 'x'.repeat(40)))).toEqual({ error: 'invalid or expired session token' });
    const old = signAgentToken(claims, secret, '2020-01-01T00:00:00.000Z', 1_000);
    expect(await sut.authenticate(old)).toEqual({ error: 'invalid or expired session token' });
  });

  it('refuses a token of the old HMAC scheme, even one made with the right secret', async () => {
    const sut = new AgentAuthenticator(withKey(publicKey), live);
    const genuine = signAgentToken(claims, secret);
    const body = genuine.slice(0, genuine.lastIndexOf('.'));
    expect(await sut.authenticate(`${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`)).toEqual({ error: 'invalid or expired session token' });
  });

  it('says why it cannot check any token before the public key is known', async () => {
    const sut = new AgentAuthenticator(withKey(null), live);
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({ error: expect.stringContaining('BATON_AGENT_TOKEN_PUBLIC_KEY') });
  });

  it("refuses an ended session's token, and every token while the ended sessions cannot be read", async () => {
    const at = '2026-12-07T10:00:00.000Z';
    const ended = new AgentAuthenticator(withKey(publicKey), { check: async (id: string) => (id === 's1' ? { kind: 'ended' as const, at } : { kind: 'live' as const }) });
    // Lives past the end (the 1 h default would expire first and hide what is checked here).
    const token = signAgentToken(claims, secret, '2026-12-07T09:00:00.000Z', 24 * 3600_000);
    expect(await ended.authenticate(token, {}, '2026-12-07T10:00:01.000Z')).toEqual({ error: 'session s1 has ended: its token no longer works' });
    // Its hooks' usage, sent right after the end, still counts; later, not even that.
    expect(await ended.authenticate(token, { afterEnd: true }, '2026-12-07T10:01:00.000Z')).toMatchObject({ principal: { sessionId: 's1' } });
    expect(await ended.authenticate(token, { afterEnd: true }, '2026-12-07T10:03:00.000Z')).toEqual({ error: 'session s1 has ended: its token no longer works' });
    const unknown = new AgentAuthenticator(withKey(publicKey), { check: async () => ({ kind: 'unknown' as const }) });
    expect(await unknown.authenticate(signAgentToken(claims, secret))).toEqual({ error: expect.stringContaining('cannot be checked yet') });
  });

  it('tells session tokens from user tokens by their prefix', () => {
    expect(AgentAuthenticator.looksLikeAgentToken(signAgentToken(claims, secret))).toBe(true);
    expect(AgentAuthenticator.looksLikeAgentToken('btn_abcdef')).toBe(false);
  });
});

describe('AgentAuthConfigSchema', () => {
  it('takes a public key, nothing else, and never the secret', () => {
    expect(AgentAuthConfigSchema.parse({ BATON_AGENT_TOKEN_PUBLIC_KEY: publicKey })).toEqual({ BATON_AGENT_TOKEN_PUBLIC_KEY: publicKey });
    expect(AgentAuthConfigSchema.parse({ BATON_AGENT_TOKEN_PUBLIC_KEY: '' })).toEqual({});
    expect(AgentAuthConfigSchema.parse({ BATON_AGENT_TOKEN_SECRET: secret })).toEqual({});
    expect(AgentAuthConfigSchema.safeParse({ BATON_AGENT_TOKEN_PUBLIC_KEY: secret }).success).toBe(false);
  });
});
