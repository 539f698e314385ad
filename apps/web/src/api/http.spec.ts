import { ConsistencyToken } from './consistency';
import { request, withQuery } from './http';

describe(withQuery.name, () => {
  it('leaves out empty parameters', () => {
    expect(withQuery('/api/projects', { limit: 50, offset: 0, status: undefined, minSeq: null, q: '' })).toBe('/api/projects?limit=50&offset=0');
    expect(withQuery('/api/projects')).toBe('/api/projects');
  });

  it('encodes values', () => {
    expect(withQuery('/x', { q: 'a b&c' })).toBe('/x?q=a+b%26c');
  });
});

describe(ConsistencyToken.name, () => {
  it('only ever moves forward', () => {
    const sut = new ConsistencyToken();
    expect(sut.minSeq).toBe(0);
    sut.observe(12);
    sut.observe(7);
    sut.observe(Number.NaN);
    expect(sut.minSeq).toBe(12);
    sut.observe(13);
    expect(sut.minSeq).toBe(13);
  });
});

describe('request: a read the gateway answers 503 (its read model behind minSeq)', () => {
  const realFetch = globalThis.fetch;
  const answers: { status: number; retryAfter?: string }[] = [];
  const seen: string[] = [];
  beforeAll(() => {
    // The browser's fetch, answering as the gateway does.
    globalThis.fetch = async (_input, init) => {
      seen.push(init?.method ?? 'GET');
      const a = answers.shift() ?? { status: 200 };
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(a.retryAfter ? { 'retry-after': a.retryAfter } : {}) };
      return new Response(a.status === 200 ? '{"ok":true}' : JSON.stringify({ error: { code: 'unavailable', message: 'read model has not reached sequence 9 after 5000 ms' } }), { status: a.status, headers });
    };
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });
  beforeEach(() => {
    answers.length = 0;
    seen.length = 0;
  });

  it('is asked again, as Retry-After says, until it answers', async () => {
    answers.push({ status: 503, retryAfter: '0' }, { status: 503, retryAfter: '0' });
    expect(await request('/api/projects')).toEqual({ ok: true });
    expect(seen).toEqual(['GET', 'GET', 'GET']);
  });

  it('a write is sent once: its 503 is the caller’s to show', async () => {
    answers.push({ status: 503, retryAfter: '0' });
    await expect(request('/api/projects', { method: 'POST', body: {} })).rejects.toMatchObject({ status: 503, code: 'unavailable', retryAfter: '0' });
    expect(seen).toEqual(['POST']);
  });

  it('stops when the caller gives up', async () => {
    answers.push({ status: 503, retryAfter: '1' }, { status: 503, retryAfter: '1' });
    const gaveUp = new AbortController();
    setTimeout(() => gaveUp.abort(), 300);
    await expect(request('/api/projects', { signal: gaveUp.signal })).rejects.toMatchObject({ status: 503 });
    expect(seen).toEqual(['GET']);
  });
});
