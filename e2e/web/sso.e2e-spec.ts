/**
 * Single sign-on (docs/decisions/0028) as a person does it: the built console served by the real
 * gateway, a real OpenID Connect provider (the `oidc-provider` package, e2e/web/oidc-provider.fixture.mjs)
 * on a loopback port, and a real Chromium that clicks "Sign in with …", fills the provider's own
 * login form, consents, and lands in the console signed in. The users it makes are checked through
 * the REST API: the role its groups map to, the same user on a second sign-in, the default role
 * for a person in no mapped group. Then the refusals: cancelled at the provider, an answer whose
 * state this browser never sent, the failed-sign-in limit, and a provider that cannot be reached.
 *
 * Needs `npx tsc -b tsconfig.build.json` and `npm run build -w @baton/web` first, and Debian's
 * Chromium. Screenshots land in e2e/screenshots/ (git-ignored).
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { UserList } from '@baton/contracts';
import { createTestNamespace, eventually, freePort, spawnProcess, startService, type ManagedProcess, type TestNamespace } from '@baton/testing';
import { ensureWebBuild, launchBrowser, ROOT, SHOTS, WEB_DIST } from './stack';

const CLIENT_ID = 'baton-e2e';
const CLIENT_SECRET = 'e2e-oidc-client-secret-0123456789abcdef';
const PROVIDER_NAME = 'Test IdP';
const ACCOUNTS = {
  alice: { name: 'Alice Admin', groups: ['baton-admins', 'devs'] },
  bob: { name: 'Bob Bystander', groups: ['marketing'] },
};
/** Refused sign-ins one address may have before it must wait: small, so the test reaches it. */
const FAIL_LIMIT = 3;

describe('Single sign-on in the browser', () => {
  let ns: TestNamespace;
  let provider: ManagedProcess;
  let issuer: string;
  let baseUrl: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let strictPort: number;

  /*
   * The admin reads users from another address than the browser's (through the proxy the gateway
   * trusts): the refusals below use up the browser's address, which must not stop the checks.
   */
  const users = async () => {
    const res = await fetch(`${baseUrl}/api/users`, { headers: { authorization: `Bearer ${ns.token}`, 'x-forwarded-for': '10.0.0.9' } });
    if (!res.ok) throw new Error(`GET /api/users: ${res.status} ${await res.text()}`);
    return UserList.parse(await res.json());
  };
  const byIdentity = async (subject: string) => (await users()).filter((u) => u.identity?.subject === subject);

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The provider's dev pages import a web font from the internet, which this machine cannot reach.
      if (m.type() === 'error' && new URL(page.url()).origin !== issuer) pageErrors.push(`console on ${page.url()}: ${m.text()}`);
    });
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

  /** The provider's own pages: its login form, then its consent page when it asks. */
  const signInAtProvider = async (page: Page, login: string) => {
    await page.waitForURL((u) => u.origin === issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  };
  const signedInAs = async (page: Page, name: string) => {
    await page.waitForURL(`${baseUrl}/projects`);
    await page.locator('.user__name', { hasText: name }).waitFor();
  };

  beforeAll(async () => {
    ensureWebBuild();
    ns = await createTestNamespace();
    const [gatewayPort, providerPort] = [await freePort(), await freePort()];
    strictPort = await freePort();
    baseUrl = `http://127.0.0.1:${gatewayPort}`;
    issuer = `http://127.0.0.1:${providerPort}`;
    provider = await spawnProcess({
      name: 'oidc-provider',
      command: process.execPath,
      args: [join(ROOT, 'e2e/web/oidc-provider.fixture.mjs')],
      env: {
        OIDC_PORT: String(providerPort),
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        // The gateway derives its callback from the address the browser used: registered as such;
        // the second one (a stricter gateway, below) is told its callback instead.
        OIDC_REDIRECT_URIS: [`${baseUrl}/api/auth/oidc/callback`, `http://localhost:${strictPort}/api/auth/oidc/callback`].join(','),
        OIDC_ACCOUNTS: JSON.stringify(ACCOUNTS),
      },
      ready: { pattern: /listening http/, timeoutMs: 20_000 },
    });
    await startService('tasks', ns.env);
    const gateway = await startService(
      'gateway',
      {
        ...ns.env,
        WEB_DIST,
        BATON_AUTH_FAIL_LIMIT: String(FAIL_LIMIT),
        BATON_AUTH_FAIL_WINDOW_S: '3600',
        // Loopback is the proxy: a request without X-Forwarded-For is the browser's own address.
        BATON_TRUST_PROXY: 'loopback',
        BATON_OIDC_ISSUER: issuer,
        BATON_OIDC_CLIENT_ID: CLIENT_ID,
        BATON_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        BATON_OIDC_PROVIDER_NAME: PROVIDER_NAME,
        BATON_OIDC_SCOPES: 'openid profile groups',
        BATON_OIDC_ROLE_MAP: 'baton-admins=admin,devs=operator',
      },
      { port: gatewayPort },
    );
    expect(gateway.url).toBe(baseUrl);
    await startService('sessions', { ...ns.env, BATON_PUBLIC_API_URL: baseUrl });
    await eventually(async () => (await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 15_000, 'the bootstrap admin');
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await provider?.kill9();
    await ns?.cleanup();
  });

  it('says which sign-in methods exist, without a token', async () => {
    const res = await fetch(`${baseUrl}/api/auth/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ token: true, oidc: { providerName: PROVIDER_NAME, loginPath: '/api/auth/oidc/login' } });
  });

  it('signs a person in through the provider; its first sign-in makes the user with the role its groups map to', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    const sso = page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` });
    await sso.waitFor();
    await page.getByLabel('Access token').waitFor();
    await shot(page, 'sso-00-sign-in');

    await sso.click();
    await signInAtProvider(page, 'alice');
    await signedInAs(page, 'Alice Admin');
    // The token came in the fragment and is gone from the address bar and the history entry.
    expect(page.url()).toBe(`${baseUrl}/projects`);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    const stored = await page.evaluate(() => sessionStorage.getItem('baton.token'));
    expect(stored).toMatch(/^btn_/);
    await shot(page, 'sso-01-signed-in');

    const alice = await byIdentity('alice');
    expect(alice).toEqual([expect.objectContaining({ name: 'Alice Admin', role: 'admin', identity: { issuer, subject: 'alice' } })]);
    expect(alice[0].tokens).toEqual([expect.objectContaining({ label: `sign-in with ${PROVIDER_NAME}`, expiresAt: expect.any(String) })]);
    // About eight hours (the default), not forever.
    const lives = Date.parse(alice[0].tokens[0].expiresAt!) - Date.now();
    expect(lives).toBeGreaterThan(7.9 * 3600_000);
    expect(lives).toBeLessThanOrEqual(8 * 3600_000);
    // The console's token is a real one: the API answers it as Alice, an admin.
    const me = await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${stored}` } });
    expect(await me.json()).toMatchObject({ id: alice[0].id, name: 'Alice Admin', role: 'admin' });
  });

  it('finds the same user on a second sign-in', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await signInAtProvider(page, 'alice');
    await signedInAs(page, 'Alice Admin');
    const alice = await byIdentity('alice');
    expect(alice).toHaveLength(1);
    expect(alice[0].role).toBe('admin');
    expect(alice[0].tokens).toHaveLength(2);
    // Signing out of the console revokes the token this sign-in made, and only it.
    const token = await page.evaluate(() => sessionStorage.getItem('baton.token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).waitFor();
    await eventually(async () => (await byIdentity('alice'))[0].tokens.length === 1, 10_000, 'the token to be revoked');
    await eventually(async () => (await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '10.0.0.10' } })).status === 401, 15_000, 'the token to stop working');
  });

  it('gives a person in no mapped group the default role (viewer)', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await signInAtProvider(page, 'bob');
    await signedInAs(page, 'Bob Bystander');
    expect(await byIdentity('bob')).toEqual([expect.objectContaining({ name: 'Bob Bystander', role: 'viewer' })]);
  });

  it('lands back on the sign-in page saying why when the person cancels at the provider', async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
    await page.waitForURL((u) => u.origin === issuer);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await page.getByText(`Single sign-on failed: ${PROVIDER_NAME} did not sign you in: End-User aborted interaction (access_denied)`).waitFor();
    expect(page.url()).toBe(`${baseUrl}/signin`);
    await page.getByLabel('Access token').waitFor();
    await shot(page, 'sso-02-cancelled');
  });

  it('refuses an answer whose state this browser did not send, and then the address altogether', async () => {
    // A throttled address is refused with 429 even for good tokens once they leave the gateway's
    // cache (the failed-auth limiter's rule): the signed-in tabs above would show it. Closed.
    for (const c of contexts.splice(0)) await c.close();
    const before = (await users()).length;
    const page = await newPage();
    // A sign-in started in this browser (its cookie set), then an answer made up by someone else.
    await page.goto(`${baseUrl}/api/auth/oidc/login`);
    await page.waitForURL((u) => u.origin === issuer);
    await page.goto(`${baseUrl}/api/auth/oidc/callback?state=forged-state&code=forged-code`);
    await page.getByText('Single sign-on failed: the answer does not belong to the sign-in this browser started; start again').waitFor();
    // No sign-in started at all (no cookie): refused too.
    const stranger = await newPage();
    await stranger.goto(`${baseUrl}/api/auth/oidc/callback?state=another-state&code=forged-code`);
    await stranger.getByText('Single sign-on failed: this sign-in was not started in this browser; start again').waitFor();
    // The cancel above, and these two: the address has used up its failed sign-ins.
    await stranger.goto(`${baseUrl}/api/auth/oidc/callback?state=third-state&code=forged-code`);
    await stranger.getByText(/Single sign-on failed: too many failed sign-ins from your address; try again in \d+ s/).waitFor();
    await shot(stranger, 'sso-03-refused');
    expect((await users()).length).toBe(before);
  });

  it('answers 400 naming the field for a malformed callback', async () => {
    const missing = await fetch(`${baseUrl}/api/auth/oidc/callback?code=x`, { redirect: 'manual' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path)).toEqual(['state']);
    const tooLong = await fetch(`${baseUrl}/api/auth/oidc/callback?state=${'s'.repeat(600)}`, { redirect: 'manual' });
    expect(tooLong.status).toBe(400);
  });

  it('refuses a person in no mapped group where the default role is none, at the callback it was told', async () => {
    // Another gateway of the same installation: nobody outside the mapped groups, and a callback
    // given by BATON_OIDC_REDIRECT_URL (the browser reaches it as 127.0.0.1, the provider knows localhost).
    const strict = await startService(
      'gateway',
      {
        ...ns.env,
        WEB_DIST,
        BATON_OIDC_ISSUER: issuer,
        BATON_OIDC_CLIENT_ID: CLIENT_ID,
        BATON_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        BATON_OIDC_PROVIDER_NAME: PROVIDER_NAME,
        BATON_OIDC_SCOPES: 'openid profile groups',
        BATON_OIDC_ROLE_MAP: 'baton-admins=admin,devs=operator',
        BATON_OIDC_DEFAULT_ROLE: 'none',
        BATON_OIDC_REDIRECT_URL: `http://localhost:${strictPort}/api/auth/oidc/callback`,
      },
      { port: strictPort, name: 'gateway-strict' },
    );
    try {
      const page = await newPage();
      await page.goto(`http://localhost:${strictPort}/`);
      await page.getByRole('link', { name: `Sign in with ${PROVIDER_NAME}` }).click();
      await signInAtProvider(page, 'bob');
      await page.getByText('Single sign-on failed: you are in no group that may use Baton (groups: marketing)').waitFor();
      expect(page.url()).toBe(`http://localhost:${strictPort}/signin`);
      expect(await page.evaluate(() => sessionStorage.getItem('baton.token'))).toBeNull();
      // Bob, a viewer through the first gateway, is left as he was.
      expect(await byIdentity('bob')).toEqual([expect.objectContaining({ role: 'viewer', tokens: [expect.anything()] })]);
    } finally {
      await strict.kill9();
    }
  });

  it('sends the browser back with a clear message when the provider cannot be reached', async () => {
    // Another gateway on the same installation, pointed at a provider that is not there.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const gateway = await startService('gateway', { ...ns.env, BATON_OIDC_ISSUER: nowhere, BATON_OIDC_CLIENT_ID: CLIENT_ID, BATON_OIDC_CLIENT_SECRET: CLIENT_SECRET }, { name: 'gateway-no-provider' });
    try {
      const res = await fetch(`${gateway.url}/api/auth/oidc/login`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      expect(location.startsWith('/signin#error=')).toBe(true);
      expect(decodeURIComponent(location.slice('/signin#error='.length))).toMatch(new RegExp(`^the provider at ${nowhere}/ could not be reached`));
      expect(res.headers.get('set-cookie')).toBeNull();
    } finally {
      await gateway.kill9();
    }
  });

  it('showed no script error and no CSP violation in the console', () => {
    expect(pageErrors).toEqual([]);
  });
});
