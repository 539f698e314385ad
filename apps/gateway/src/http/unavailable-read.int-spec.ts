import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';

/*
 * Issue #13 item 4: a read whose read model cannot reach the caller's `minSeq` in time is a
 * 503 with Retry-After — never a 500 — so the CLI and the web app ask again (libs/contracts
 * read-retry.ts) instead of failing under load.
 */
describe('a read the read model cannot answer in time', () => {
  let ns: TestNamespace;
  let url: string;
  const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ns.token}` } });

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    url = (await startService('gateway', ns.env)).url;
    await eventually(async () => (await get('/api/me')).ok, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterAll(() => ns?.cleanup());

  it('answers 503 unavailable with Retry-After, naming the sequence it waited for', async () => {
    const res = await get(`/api/projects?minSeq=${Number.MAX_SAFE_INTEGER}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining(String(Number.MAX_SAFE_INTEGER)) });
    // ...while one it can answer is answered.
    expect((await get('/api/projects')).status).toBe(200);
  }, 30_000);
});
