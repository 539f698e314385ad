import { signAgentToken } from '@baton/agent-auth';
import { claimsForSession } from '@baton/events';
import { AgentAuthenticator } from './agent-authenticator';
import type { AgentTokenSecret } from './agent-token-secret';

const secret = 's'.repeat(40);
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: null, taskIds: ['t1'], role: 'orchestrator', parentSessionId: null });
const withSecret = (value: string | null) => ({ get: async () => value }) as unknown as AgentTokenSecret;

describe(AgentAuthenticator.name, () => {
  it('turns a genuine session token into its agent, with no lookup', async () => {
    const sut = new AgentAuthenticator(withSecret(secret));
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({
      principal: { kind: 'agent', sessionId: 's1', claims: expect.objectContaining({ ...claims, canSpawnWorkers: true }) },
    });
  });

  it('refuses a token signed with another secret, or an expired one', async () => {
    const sut = new AgentAuthenticator(withSecret(secret));
    expect(await sut.authenticate(signAgentToken(claims, 'x'.repeat(40)))).toEqual({ error: 'invalid or expired session token' });
    const old = signAgentToken(claims, secret, '2020-01-01T00:00:00.000Z', 1_000);
    expect(await sut.authenticate(old)).toEqual({ error: 'invalid or expired session token' });
  });

  it('says why it cannot check any token before the secret is known', async () => {
    const sut = new AgentAuthenticator(withSecret(null));
    expect(await sut.authenticate(signAgentToken(claims, secret))).toEqual({ error: expect.stringContaining('BATON_AGENT_TOKEN_SECRET') });
  });

  it('tells session tokens from user tokens by their prefix', () => {
    expect(AgentAuthenticator.looksLikeAgentToken(signAgentToken(claims, secret))).toBe(true);
    expect(AgentAuthenticator.looksLikeAgentToken('btn_abcdef')).toBe(false);
  });
});
