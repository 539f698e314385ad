import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';

/** A web build as the gateway serves it: an index that loads one module script and a stylesheet. */
function fakeWebDist(): string {
  const dist = mkdtempSync(join(tmpdir(), 'baton-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Baton</title><script type="module" src="/assets/app.js"></script><div id="root"></div>');
  writeFileSync(join(dist, 'assets/app.js'), 'document.getElementById("root").textContent = "ok";');
  return dist;
}

describe('security headers on every gateway answer', () => {
  let ns: TestNamespace;
  let url: string;

  beforeAll(async () => {
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    url = (await startService('gateway', { ...ns.env, WEB_DIST: fakeWebDist() })).url;
    await eventually(async () => (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 20_000, 'the bootstrap admin');
  }, 60_000);
  afterAll(() => ns?.cleanup());

  const expectSecure = (res: Response) => {
    expect({
      nosniff: res.headers.get('x-content-type-options'),
      frame: res.headers.get('x-frame-options'),
      referrer: res.headers.get('referrer-policy'),
    }).toEqual({ nosniff: 'nosniff', frame: 'DENY', referrer: 'no-referrer' });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    return csp;
  };

  it.each([
    ['a REST answer', '/api/me', true],
    ['a refused REST call', '/api/projects', false],
    ['an unknown API path', '/api/no-such-thing', true],
    ['health', '/health/ready', false],
    ['metrics', '/metrics', false],
  ])('on %s', async (_label, path, withToken) => {
    const res = await fetch(`${url}${path}`, { headers: withToken ? { authorization: `Bearer ${ns.token}` } : {} });
    const csp = expectSecure(res);
    expect(csp).toContain("script-src 'self'");
  });

  it('on the web index and its assets, with a policy that lets the app load its own script and no inline one', async () => {
    for (const path of ['/', '/projects/p1/board', '/assets/app.js']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      const csp = expectSecure(res);
      expect(csp).toMatch(/(^|;)\s*script-src 'self'(;|$)/);
      expect(csp).toMatch(/(^|;)\s*connect-src 'self'(;|$)/);
    }
  });

  it('on the API docs page, whose inline script alone is allowed, by its hash', async () => {
    const res = await fetch(`${url}/api/docs`);
    const csp = expectSecure(res);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*'self'/);
  });

  it("on socket.io's own HTTP answers", async () => {
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
