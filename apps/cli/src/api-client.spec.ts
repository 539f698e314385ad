import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, CliError } from './api-client';

describe(ApiClient.name, () => {
  let server: Server;
  let url: string;
  const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
  let reply: (req: IncomingMessage) => { status: number; body: string; type?: string } = () => ({ status: 200, body: '{}' });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        const r = reply(req);
        res.writeHead(r.status, { 'content-type': r.type ?? 'application/json' }).end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (seen.length = 0));

  it('asks a token function on every request (a session token renewed under a long-running process), and says why a token was refused', async () => {
    let current = 'bat_s.first';
    const sut = new ApiClient(url, () => current);
    reply = () => ({ status: 200, body: '{}' });
    await sut.get('/api/agents/me');
    current = 'bat_s.renewed';
    await sut.get('/api/agents/me');
    expect(seen.map((s) => s.auth)).toEqual(['Bearer bat_s.first', 'Bearer bat_s.renewed']);
    reply = () => ({ status: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'session s1 has ended: its token no longer works' } }) });
    await expect(sut.get('/api/agents/me')).rejects.toThrow('token was refused (HTTP 401): session s1 has ended: its token no longer works;');
  });

  it('sends the bearer token and reads its own writes afterwards', async () => {
    const sut = new ApiClient(url, 'tok');
    reply = () => ({ status: 201, body: JSON.stringify({ id: 'P1', commandId: 'c', seq: 12, events: [] }) });
    await sut.post('/api/projects', { name: 'x' });
    reply = () => ({ status: 200, body: '{"id":"P1"}' });
    await sut.get('/api/projects/P1');
    await sut.get('/api/projects/P1', { minSeq: 3 });
    await sut.post('/api/tasks/T1/complete');
    await sut.post('/api/projects/P1/archive');
    expect(seen.map((s) => s.url)).toEqual([
      '/api/projects',
      '/api/projects/P1?minSeq=12',
      '/api/projects/P1?minSeq=3',
      '/api/tasks/T1/complete?minSeq=12',
      '/api/projects/P1/archive',
    ]);
    expect(seen[0]).toMatchObject({ method: 'POST', auth: 'Bearer tok', body: '{"name":"x"}' });
  });

  it('turns a 400 into exit code 2 with each field, other refusals into 1', async () => {
    const sut = new ApiClient(url);
    reply = () => ({ status: 400, body: JSON.stringify({ error: { code: 'validation', message: 'invalid request', fields: [{ path: 'title', message: 'must not be empty' }] } }) });
    await expect(sut.post('/x')).rejects.toMatchObject({ message: 'invalid request\n  title: must not be empty', exitCode: 2, status: 400 });
    reply = () => ({ status: 409, body: JSON.stringify({ error: { code: 'conflict', message: 'already active' } }) });
    await expect(sut.post('/x')).rejects.toMatchObject({ message: 'already active', exitCode: 1, status: 409 });
    reply = () => ({ status: 502, body: '<html>bad gateway</html>', type: 'text/html' });
    await expect(sut.get('/x')).rejects.toMatchObject({ message: 'HTTP 502', exitCode: 1 });
    reply = () => ({ status: 401, body: '{}' });
    await expect(sut.get('/x')).rejects.toThrow(/baton login/);
  });

  it('asks again, as Retry-After says, when a read answers 503 (a busy read model); a write is never resent', async () => {
    const sut = new ApiClient(url, 'tok');
    let reads = 0;
    reply = (req) => {
      if (req.method === 'GET' && ++reads < 3) return { status: 503, body: JSON.stringify({ error: { code: 'unavailable', message: 'read model has not reached sequence 9 after 5000 ms' } }) };
      return req.method === 'GET' ? { status: 200, body: '{"ok":true}' } : { status: 503, body: JSON.stringify({ error: { code: 'unavailable', message: 'busy' } }) };
    };
    const t0 = Date.now();
    expect(await sut.get('/api/projects')).toEqual({ ok: true });
    expect(reads).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * 250);
    await expect(sut.post('/api/projects', { name: 'x' })).rejects.toMatchObject({ status: 503 });
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('gives text answers back as they are', async () => {
    reply = () => ({ status: 200, body: 'a,b\n1,2\n', type: 'text/csv' });
    await expect(new ApiClient(url).get('/m.csv', {}, { text: true })).resolves.toBe('a,b\n1,2\n');
  });

  it('says where it could not reach', async () => {
    await expect(new ApiClient('http://127.0.0.1:1').get('/x')).rejects.toThrow(CliError);
  });
});
