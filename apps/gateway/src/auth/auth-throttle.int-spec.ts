import { agentTokenPublicKey } from '@baton/agent-auth';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { connectLive } from '../live/__tests__/live-client';

describe('throttling of refused tokens per client address', () => {
  let ns: TestNamespace;
  let url: string;

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    // Three refused tokens in a burst, then one per 20 s.
    url = (await startService('gateway', { ...ns.env, BATON_AUTH_FAIL_LIMIT: '3', BATON_AUTH_FAIL_WINDOW_S: '60', BATON_AGENT_TOKEN_PUBLIC_KEY: agentTokenPublicKey('throttle-spec-agent-secret-0123456789abcdef') })).url;
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterAll(() => ns?.cleanup());

  const me = (token: string, headers: Record<string, string> = {}) => fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: { retryAfterSeconds?: number } } }).error;

  it('answers 401 to the first refused tokens, then 429 with Retry-After', async () => {
    // The bootstrap token polled before its user existed may have counted once (only once: a retried token counts once).
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await me(`btn_guess-number-${i}-xxxxxxxx`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual(statuses.length === 3 ? [401, 401, 429] : [401, 401, 401, 429]);
    if (!limited) throw new Error('never limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(await errorOf(limited)).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/try again in \d+ s/), details: { retryAfterSeconds: retryAfter } });
    // A malformed header and a forged session token are refused the same way.
    expect((await me('short')).status).toBe(429);
    expect((await me('bat_s.forged.token-that-is-long-enough')).status).toBe(429);
  });

  it('cannot be escaped with X-Forwarded-For when no proxy is trusted', async () => {
    expect((await me('btn_another-guess-xxxxxxxxxx', { 'x-forwarded-for': '198.51.100.23' })).status).toBe(429);
  });

  it('still lets in a token this gateway has just accepted, and no other, however right', async () => {
    // The bootstrap admin's token was accepted in beforeAll: known good without a lookup.
    expect((await me(ns.token)).status).toBe(200);
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ns.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Fresh', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    expect((await me(token)).status).toBe(429);
  });

  it('refuses a socket handshake from the throttled address with rate_limited, and accepts a known token', async () => {
    await expect(connectLive(url, 'btn_socket-guess-xxxxxxxxxx')).rejects.toMatchObject({ data: { code: 'rate_limited', retryAfterSeconds: expect.any(Number) } });
    expect((await me(ns.token)).status).toBe(200);
    const s = await connectLive(url, ns.token);
    expect(s.connected).toBe(true);
    s.close();
  });
});
