import { createHash, createHmac, createPrivateKey, sign } from 'node:crypto';
import { claimsForSession } from '@baton/events';
import {
  AGENT_TOKEN_TTL_MS,
  agentTokenPublicKey,
  inspectAgentToken,
  isAgentToken,
  isAgentTokenPublicKey,
  MAX_AGENT_TOKEN_TTL_MS,
  readAgentTokenTimes,
  signAgentToken,
  verifyAgentToken,
} from './agent-token';

const secret = 'a'.repeat(40);
const publicKey = agentTokenPublicKey(secret);
const at = '2026-01-01T10:00:00.000Z';
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: 'a1', taskIds: ['t1'], role: 'worker', parentSessionId: null });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** Signs any payload with the key derived from `key`, as the documented derivation says (not through signAgentToken). */
const signRaw = (payload: unknown, key = secret) => {
  const body = `bat_s.${b64(payload)}`;
  const seed = createHash('sha256').update(key).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return `${body}.${sign(null, Buffer.from(body), createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).toString('base64url')}`;
};

describe(agentTokenPublicKey.name, () => {
  it('derives one 32-byte public key from a secret, the same every time, another for another secret', () => {
    expect(isAgentTokenPublicKey(publicKey)).toBe(true);
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(32);
    expect(agentTokenPublicKey('a'.repeat(40))).toBe(publicKey);
    expect(agentTokenPublicKey('b'.repeat(40))).not.toBe(publicKey);
    expect(() => agentTokenPublicKey('short')).toThrow(/at least 32/);
  });

  it('tells a public key from what is not one (the secret itself, padding, another length)', () => {
    for (const bad of [secret, `${publicKey}=`, publicKey.slice(1), `${publicKey}A`, publicKey.replace(/.$/, '!'), '', 42, null]) {
      expect(isAgentTokenPublicKey(bad)).toBe(false);
    }
  });
});

describe(verifyAgentToken.name, () => {
  const sut = signAgentToken(claims, secret, at);

  it('gives back the claims of a token signed with the secret, checked with the public key alone', () => {
    expect(isAgentToken(sut)).toBe(true);
    expect(sut.split('.')).toHaveLength(3);
    expect(Buffer.from(sut.split('.')[2], 'base64url')).toHaveLength(64);
    expect(verifyAgentToken(sut, publicKey, at)).toEqual({
      ...claims,
      canSpawnWorkers: false,
      issuedAt: at,
      expiresAt: new Date(Date.parse(at) + AGENT_TOKEN_TTL_MS).toISOString(),
    });
    const orchestrator = signAgentToken({ ...claims, role: 'orchestrator' }, secret, at);
    expect(verifyAgentToken(orchestrator, publicKey, at)?.canSpawnWorkers).toBe(true);
  });

  it('refuses a token signed with another secret, or checked with another public key', () => {
    const other = signAgentToken(claims, 'b'.repeat(40), at);
    expect(verifyAgentToken(other, publicKey, at)).toBeNull();
    expect(inspectAgentToken(other, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(inspectAgentToken(sut, agentTokenPublicKey('b'.repeat(40)), at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a token of the old scheme (HMAC-SHA256 with the secret), whoever holds the secret', () => {
    const body = sut.slice(0, sut.lastIndexOf('.'));
    for (const key of [secret, publicKey]) {
      const hmac = `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
      expect(inspectAgentToken(hmac, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('refuses a signature moved onto another payload, or cut short', () => {
    const [prefix, payload, signature] = sut.split('.');
    const other = signAgentToken({ ...claims, sessionId: 's2' }, secret, at).split('.');
    expect(inspectAgentToken(`${prefix}.${payload}.${other[2]}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(inspectAgentToken(`${prefix}.${other[1]}.${signature}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(inspectAgentToken(`${prefix}.${payload}.${signature.slice(0, 40)}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(inspectAgentToken(`${prefix}.${payload}.${Buffer.alloc(64).toString('base64url')}`, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a token whose claims were tampered with (another session, more tasks, a spawning role)', () => {
    const [prefix, , signature] = sut.split('.');
    for (const forged of [
      { ...claims, sessionId: 's2' },
      { ...claims, taskIds: ['t1', 't2'] },
      { ...claims, role: 'orchestrator' },
    ]) {
      const token = `${prefix}.${b64({ v: 1, claims: forged, iat: Date.parse(at), exp: Date.parse(at) + 1_000 })}.${signature}`;
      expect(inspectAgentToken(token, publicKey, at)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('refuses a token with a flipped signature byte', () => {
    const [prefix, payload, signature] = sut.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] ^= 1;
    expect(verifyAgentToken(`${prefix}.${payload}.${bytes.toString('base64url')}`, publicKey, at)).toBeNull();
  });

  it('refuses an expired token, and accepts it until the last millisecond', () => {
    const short = signAgentToken(claims, secret, at, 1_000);
    expect(verifyAgentToken(short, publicKey, '2026-01-01T10:00:00.999Z')).not.toBeNull();
    expect(verifyAgentToken(short, publicKey, '2026-01-01T10:00:01.000Z')).toBeNull();
    expect(inspectAgentToken(short, publicKey, '2026-01-01T10:00:01.000Z')).toEqual({ ok: false, reason: 'expired' });
  });

  it.each([
    '',
    'x',
    'bat_s..',
    'bat_s.e30.',
    'btn_abc',
    'bat_s.!!!.???',
    'bat_x.e30.AAAA',
    'bat_s.' + 'a'.repeat(20_000) + '.b',
    `bat_s.e30.${'A'.repeat(86)}`,
    `bat_s.e30.${'/'.repeat(86)}`,
    42 as unknown as string,
    null as unknown as string,
  ])('calls %j invalid and never throws', (token) => {
    expect(verifyAgentToken(token, publicKey, at)).toBeNull();
  });

  it('refuses extra parts after a good token', () => {
    expect(verifyAgentToken(`${sut}.extra`, publicKey, at)).toBeNull();
  });

  it('checks the shape of a correctly signed payload: claims, version, times', () => {
    expect(inspectAgentToken(signRaw({ v: 1, claims: { sessionId: 's1' }, iat: 0, exp: 1e15 }), publicKey, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw({ v: 2, claims, iat: 0, exp: 1e15 }), publicKey, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw({ v: 1, claims, iat: 0, exp: 1e15, admin: true }), publicKey, at)).toEqual({ ok: false, reason: 'invalid_claims' });
    expect(inspectAgentToken(signRaw('not an object'), publicKey, at)).toEqual({ ok: false, reason: 'invalid_claims' });
  });

  it('signs with the documented derivation (seed = SHA-256 of the secret), so any implementation of it agrees', () => {
    expect(signRaw({ v: 1, claims, iat: Date.parse(at), exp: Date.parse(at) + AGENT_TOKEN_TTL_MS })).toBe(sut);
  });

  it('needs a long enough secret to sign, and a public key (not the secret) to verify', () => {
    expect(() => signAgentToken(claims, 'short', at)).toThrow(/at least 32/);
    expect(() => verifyAgentToken(sut, secret, at)).toThrow(/public key/);
    expect(() => verifyAgentToken(sut, 'short', at)).toThrow(/public key/);
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
