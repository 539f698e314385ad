import { claimsForSession } from '@baton/events';
import { AGENT_TOKEN_TTL_MS, isAgentToken, signAgentToken, verifyAgentToken } from './agent-token';

const secret = 'a'.repeat(40);
const at = '2026-01-01T10:00:00.000Z';
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: null });

describe(verifyAgentToken.name, () => {
  const sut = signAgentToken(claims, secret, at);

  it('gives back the claims of a token it signed', () => {
    expect(isAgentToken(sut)).toBe(true);
    expect(verifyAgentToken(sut, secret, at)).toEqual({ ok: true, claims, issuedAt: at, expiresAt: new Date(Date.parse(at) + AGENT_TOKEN_TTL_MS).toISOString() });
  });

  it('refuses a token signed with another secret', () => {
    expect(verifyAgentToken(signAgentToken(claims, 'b'.repeat(40), at), secret, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a token whose claims were changed (another session, more tasks)', () => {
    const [prefix, , signature] = sut.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, claims: { ...claims, sessionId: 's2' }, iat: Date.parse(at), exp: Date.parse(at) + 1000 })).toString('base64url');
    expect(verifyAgentToken(`${prefix}.${forged}.${signature}`, secret, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an expired token', () => {
    const short = signAgentToken(claims, secret, at, 1_000);
    expect(verifyAgentToken(short, secret, '2026-01-01T10:00:00.999Z').ok).toBe(true);
    expect(verifyAgentToken(short, secret, '2026-01-01T10:00:01.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it.each(['', 'x', 'bat_s..', 'bat_s.e30.', 'btn_abc', 'bat_s.!!!.???', `${sut}.extra`, 'bat_s.' + 'a'.repeat(20_000) + '.b'])('calls %j malformed or badly signed, never throws', (token) => {
    const r = verifyAgentToken(token, secret, at);
    expect(r.ok).toBe(false);
  });

  it('refuses a correctly signed payload that is not a set of claims', () => {
    // Signed with the right secret but not by signAgentToken: the shape is still checked.
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const body = `bat_s.${Buffer.from(JSON.stringify({ v: 1, claims: { sessionId: 's1' }, iat: 0, exp: 1e15 })).toString('base64url')}`;
    const token = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
    expect(verifyAgentToken(token, secret, at)).toEqual({ ok: false, reason: 'invalid_claims' });
  });

  it('needs a long enough secret', () => {
    expect(() => signAgentToken(claims, 'short', at)).toThrow(/at least 32/);
  });
});
