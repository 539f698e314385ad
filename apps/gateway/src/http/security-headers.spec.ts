import { createHash } from 'node:crypto';
import { DOCS_PAGE } from '../openapi/docs-page';
import { APP_CSP, cspHeader, DOCS_CSP, inlineHash } from './security-headers';

describe('security headers', () => {
  it('never frames the app, never allows inline script or a foreign origin', () => {
    const csp = cspHeader(APP_CSP);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(APP_CSP['script-src']).toEqual(["'self'"]);
    expect(APP_CSP['script-src-attr']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('allows the docs page exactly its own inline script and style, by hash', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(DOCS_PAGE)![1];
    const expected = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
    expect(DOCS_CSP['script-src']).toEqual([expected]);
    expect(DOCS_CSP['style-src']).toEqual([inlineHash(DOCS_PAGE, 'style')]);
    expect(DOCS_CSP['frame-ancestors']).toEqual(["'none'"]);
  });
});
