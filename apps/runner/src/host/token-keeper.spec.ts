import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAgentToken } from '@baton/agent-auth';
import { claimsForSession, type AgentTokenReply } from '@baton/events';
import { silentLogger } from '@baton/event-store';
import { renewalDelay, retryDelay, TokenKeeper, tokenFileName, writeTokenFile } from './token-keeper';

const secret = 's'.repeat(40);
const claims = claimsForSession('s1', { projectId: 'p1', attemptId: null, taskIds: [], role: 'worker', parentSessionId: null });
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const tokenAt = (at: number, ttlMs: number) => signAgentToken(claims, secret, new Date(at).toISOString(), ttlMs);
const HOUR = 3600_000;

describe(renewalDelay.name, () => {
  it('renews between 40 % and 50 % of the life of a token just received', () => {
    expect(renewalDelay({ issuedAt: T0, expiresAt: T0 + HOUR }, T0, 0)).toBe(HOUR / 2);
    expect(renewalDelay({ issuedAt: T0, expiresAt: T0 + HOUR }, T0, 1)).toBeCloseTo(HOUR * 0.4);
  });

  it('renews sooner when this clock is ahead of the issuer, never later when it is behind', () => {
    expect(renewalDelay({ issuedAt: T0, expiresAt: T0 + HOUR }, T0 + 20 * 60_000, 0)).toBe(10 * 60_000);
    expect(renewalDelay({ issuedAt: T0, expiresAt: T0 + HOUR }, T0 - 20 * 60_000, 0)).toBe(HOUR / 2);
    expect(renewalDelay({ issuedAt: T0, expiresAt: T0 + HOUR }, T0 + 2 * HOUR, 0)).toBe(0);
  });
});

describe(retryDelay.name, () => {
  const times = { issuedAt: T0, expiresAt: T0 + HOUR };
  it('backs off 1 s, 2 s, 4 s … to a minute', () => {
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => retryDelay(n, times, T0 + HOUR / 2))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
  });

  it('asks at least four times in what the token has left, at most once a second', () => {
    expect(retryDelay(10, times, T0 + HOUR - 100_000)).toBe(25_000);
    expect(retryDelay(10, times, T0 + HOUR - 2_000)).toBe(1_000);
  });

  it('keeps asking every 10 s at most once it expired (the agent is stuck until then)', () => {
    expect(retryDelay(20, times, T0 + 2 * HOUR)).toBe(10_000);
    expect(retryDelay(1, times, T0 + 2 * HOUR)).toBe(1_000);
  });
});

describe(writeTokenFile.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-token-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the file whole, 0600, leaving no temporary file behind', async () => {
    const file = join(dir, tokenFileName(7));
    writeFileSync(file, 'old\n', { mode: 0o644 });
    await writeTokenFile(file, 'bat_s.new.sig');
    expect(readFileSync(file, 'utf8')).toBe('bat_s.new.sig\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['baton-token-7']);
  });

  it('fails (and leaves nothing) when the directory is gone', async () => {
    await expect(writeTokenFile(join(dir, 'missing', 'baton-token-1'), 'x')).rejects.toThrow(/ENOENT/);
  });
});

describe(TokenKeeper.name, () => {
  let now: number;
  let written: { path: string; token: string }[];
  let replies: (() => Promise<AgentTokenReply>)[];
  let asked: number;
  const issue = (ttlMs = 60_000): AgentTokenReply => ({ ok: true, token: tokenAt(now, ttlMs), issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() });
  const sut = () =>
    new TokenKeeper({
      renew: async (sessionId) => {
        expect(sessionId).toBe('s1');
        asked++;
        const next = replies.shift();
        return next ? next() : issue();
      },
      logger: silentLogger,
      now: () => now,
      random: () => 0,
      write: async (path, token) => void written.push({ path, token }),
    });
  const advance = async (ms: number) => {
    now += ms;
    await jest.advanceTimersByTimeAsync(ms);
  };

  beforeEach(() => {
    jest.useFakeTimers();
    now = T0;
    written = [];
    replies = [];
    asked = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('renews at half of each token\'s life and writes each new token to the file', async () => {
    const keeper = sut();
    const kept = keeper.keep('s1', '/s/baton-token-3', tokenAt(now, 60_000));
    await advance(29_000);
    expect(asked).toBe(0);
    await advance(1_000);
    expect(asked).toBe(1);
    expect(written).toEqual([{ path: '/s/baton-token-3', token: tokenAt(T0 + 30_000, 60_000) }]);
    await advance(30_000);
    expect(asked).toBe(2);
    expect(kept.renewals).toBe(2);
    kept.stop();
    await advance(10 * 60_000);
    expect(asked).toBe(2);
    expect(keeper.size).toBe(0);
  });

  it('never gives up while the session runs: failures and refusals are retried with backoff, past the expiry', async () => {
    replies = [
      () => Promise.reject(new Error('503 No Responders Available For Request')),
      async () => ({ ok: false, code: 'unavailable', message: 'busy' }),
      async () => ({ ok: false, code: 'not_live', message: 'lagging read model' }),
    ];
    const kept = sut().keep('s1', '/s/f', tokenAt(now, 4_000));
    await advance(2_000); // half life: 1st try fails
    expect(asked).toBe(1);
    await advance(1_000); // 1 s later (a quarter of 2 s left, at least 1 s): 2nd fails
    expect(asked).toBe(2);
    await advance(1_000); // 1 s left: again after 1 s, at the expiry; refused
    expect(asked).toBe(3);
    expect(written).toEqual([]);
    await advance(3_000); // expired: 4 s backoff
    expect(asked).toBe(3);
    await advance(1_000); // 4th try succeeds
    expect(asked).toBe(4);
    expect(written).toHaveLength(1);
    expect(kept.renewals).toBe(1);
    kept.stop();
  });

  it('keeps a token it cannot read as it came, without asking', async () => {
    const kept = sut().keep('s1', '/s/f', 'tok');
    await advance(HOUR);
    expect(asked).toBe(0);
    kept.stop();
  });

  it('writes nothing when stopped while a renewal was on its way', async () => {
    let answer!: (r: AgentTokenReply) => void;
    replies = [() => new Promise((r) => (answer = r))];
    const kept = sut().keep('s1', '/s/f', tokenAt(now, 2_000));
    await advance(1_000);
    expect(asked).toBe(1);
    kept.stop();
    answer(issue());
    await advance(60_000);
    expect(written).toEqual([]);
    expect(asked).toBe(1);
  });
});
