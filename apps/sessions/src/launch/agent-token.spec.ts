import { claimsForSession } from '@baton/events';
import { AGENT_TOKEN_TTL_MS, agentTokenPublicKey, isAgentToken, signAgentToken, verifyAgentToken } from './agent-token';

const secret = 'a'.repeat(40);
const publicKey = agentTokenPublicKey(secret);
const at = '2026-01-01T10:00:00.000Z';
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: null });

describe(verifyAgentToken.name, () => {
  const sut = signAgentToken(claims, secret, at);

  it('gives back the claims of a token it signed', () => {
    expect(isAgentToken(sut)).toBe(true);
    expect(verifyAgentToken(sut, publicKey, at)).toEqual({ ok: true, claims, issuedAt: at, expiresAt: new Date(Date.parse(at) + AGENT_TOKEN_TTL_MS).toISOString() });
  });

  it('refuses a token signed with another secret', () => {
    expect(verifyAgentToken(signAgentToken(claims, 'b'.repeat(40), at), publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a token whose claims were changed (another session, more tasks)', () => {
    const [prefix, , signature] = sut.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, claims: { ...claims, sessionId: 's2' }, iat: Date.parse(at), exp: Date.parse(at) + 1000 })).toString('base64url');
    expect(verifyAgentToken(`${prefix}.${forged}.${signature}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an expired token', () => {
    const short = signAgentToken(claims, secret, at, 1_000);
    expect(verifyAgentToken(short, publicKey, '2026-01-01T10:00:00.999Z').ok).toBe(true);
    expect(verifyAgentToken(short, publicKey, '2026-01-01T10:00:01.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it.each(['', 'x', 'bat_s..', 'bat_s.e30.', 'btn_abc', 'bat_s.!!!.???', `${sut}.extra`, 'bat_s.' + 'a'.repeat(20_000) + '.b'])('calls %j malformed or badly signed, never throws', (token) => {
    const r = verifyAgentToken(token, publicKey, at);
    expect(r.ok).toBe(false);
  });

  it('refuses a token MACed with the secret (the scheme before Ed25519)', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const body = sut.slice(0, sut.lastIndexOf('.'));
    expect(verifyAgentToken(`${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('needs a long enough secret', () => {
    expect(() => signAgentToken(claims, 'short', at)).toThrow(/at least 32/);
  });
});
