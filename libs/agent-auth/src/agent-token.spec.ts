import { createHmac } from 'node:crypto';
import { claimsForSession } from '@baton/events';
import { AGENT_TOKEN_TTL_MS, inspectAgentToken, isAgentToken, MAX_AGENT_TOKEN_TTL_MS, readAgentTokenTimes, signAgentToken, verifyAgentToken } from './agent-token';

const secret = 'a'.repeat(40);
const at = '2026-01-01T10:00:00.000Z';
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: null });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const signRaw = (payload: unknown, key = secret) => {
  const body = `bat_s.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
};

describe(verifyAgentToken.name, () => {
  const sut = signAgentToken(claims, secret, at);

  it('gives back the claims of a token it signed, with what follows from them', () => {
    expect(isAgentToken(sut)).toBe(true);
    expect(verifyAgentToken(sut, secret, at)).toEqual({
      ...claims,
      canSpawnWorkers: false,
      issuedAt: at,
      expiresAt: new Date(Date.parse(at) + AGENT_TOKEN_TTL_MS).toISOString(),
    });
    const orchestrator = signAgentToken({ ...claims, role: 'orchestrator' }, secret, at);
    expect(verifyAgentToken(orchestrator, secret, at)?.canSpawnWorkers).toBe(true);
  });

  it('refuses a token signed with another secret', () => {
    const other = signAgentToken(claims, 'b'.repeat(40), at);
    expect(verifyAgentToken(other, secret, at)).toBeNull();
    expect(inspectAgentToken(other, secret, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a token whose claims were tampered with (another session, more tasks, a spawning role)', () => {
    const [prefix, , signature] = sut.split('.');
    for (const forged of [
      { ...claims, sessionId: 's2' },
      { ...claims, taskIds: ['t1', 't2'] },
      { ...claims, role: 'orchestrator' },
    ]) {
      const token = `${prefix}.${b64({ v: 1, claims: forged, iat: Date.parse(at), exp: Date.parse(at) + 1_000 })}.${signature}`;
      expect(inspectAgentToken(token, secret, at)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('refuses a token with a flipped signature byte', () => {
    const [prefix, payload, signature] = sut.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] ^= 1;
    expect(verifyAgentToken(`${prefix}.${payload}.${bytes.toString('base64url')}`, secret, at)).toBeNull();
  });

  it('refuses an expired token, and accepts it until the last millisecond', () => {
    const short = signAgentToken(claims, secret, at, 1_000);
    expect(verifyAgentToken(short, secret, '2026-01-01T10:00:00.999Z')).not.toBeNull();
    expect(verifyAgentToken(short, secret, '2026-01-01T10:00:01.000Z')).toBeNull();
    expect(inspectAgentToken(short, secret, '2026-01-01T10:00:01.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it.each(['', 'x', 'bat_s..', 'bat_s.e30.', 'btn_abc', 'bat_s.!!!.???', 'bat_x.e30.AAAA', 'bat_s.' + 'a'.repeat(20_000) + '.b'])('calls %j invalid and never throws', (token) => {
    expect(verifyAgentToken(token, secret, at)).toBeNull();
  });

  it('refuses extra parts after a good token', () => {
    expect(verifyAgentToken(`${sut}.extra`, secret, at)).toBeNull();
  });

  it('checks the shape of a correctly signed payload: claims, version, times', () => {
    expect(inspectAgentToken(signRaw({ v: 1, claims: { sessionId: 's1' }, iat: 0, exp: 1e15 }), secret, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw({ v: 2, claims, iat: 0, exp: 1e15 }), secret, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw({ v: 1, claims, iat: 0, exp: 1e15, admin: true }), secret, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw('not an object'), secret, at)).toEqual({ ok: false, reason: 'invalid_claims' });
  });

  it('needs a long enough secret to sign or verify', () => {
    expect(() => signAgentToken(claims, 'short', at)).toThrow(/at least 32/);
    expect(() => verifyAgentToken(sut, 'short', at)).toThrow(/at least 32/);
  });

  it('refuses to sign claims that are not claims', () => {
    expect(() => signAgentToken({ ...claims, sessionId: '' }, secret, at)).toThrow();
    expect(() => signAgentToken(claims, secret, 'yesterday')).toThrow(/issuedAt/);
  });
});

describe(readAgentTokenTimes.name, () => {
  it('reads when a token was issued and expires without the secret (the runner renews by it)', () => {
    const sut = signAgentToken(claims, secret, at, 60_000);
    expect(readAgentTokenTimes(sut)).toEqual({ issuedAt: Date.parse(at), expiresAt: Date.parse(at) + 60_000 });
    // It checks nothing: a forged one reads as well, which is why the gateway verifies.
    expect(readAgentTokenTimes(signRaw({ v: 1, claims, iat: 5, exp: 10 }, 'z'.repeat(40)))).toEqual({ issuedAt: 5, expiresAt: 10 });
  });

  it('is null for anything that is not a session token', () => {
    for (const bad of ['', 'btn_abc', 'bat_s.x.y', `bat_s.${b64({ v: 1, claims, iat: 10, exp: 5 })}.sig`, 'bat_s..sig', 'x'.repeat(20_000)]) {
      expect(readAgentTokenTimes(bad)).toBeNull();
    }
  });
});

describe(`${signAgentToken.name} lifetimes`, () => {
  it('lives an hour by default and refuses a lifetime past the longest allowed', () => {
    expect(AGENT_TOKEN_TTL_MS).toBe(3600_000);
    expect(readAgentTokenTimes(signAgentToken(claims, secret, at))?.expiresAt).toBe(Date.parse(at) + 3600_000);
    expect(() => signAgentToken(claims, secret, at, MAX_AGENT_TOKEN_TTL_MS + 1)).toThrow(/ttlMs/);
  });
});
