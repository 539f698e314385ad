/**
 * The web app as an operator drives it: the built SPA served by the real gateway, in front of the
 * real tasks service, in a real Chromium. One story in order: sign in with a token → empty list →
 * a refused form with the API's message at its field → a created project in the list → its
 * window (overview) → its members panel, where the admin adds a viewer → a viewer who may look but not
 * create → the gateway going away.
 *
 * Needs `npm run build` first (the web app is built here when apps/web/dist is missing; rebuild
 * it yourself after changing it: `npm run build -w @baton/web`), and Debian's Chromium
 * (`apt-get install chromium`; CHROMIUM_PATH overrides /usr/bin/chromium).
 * Screenshots land in e2e/screenshots/ (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestNamespace, eventually, sleep, startService, type TestNamespace } from '@baton/testing';

const ROOT = resolve(__dirname, '../..');
const WEB_DIST = join(ROOT, 'apps/web/dist');
const SHOTS = join(ROOT, 'e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('Projects in the browser', () => {
  let ns: TestNamespace;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let gateway: Awaited<ReturnType<typeof startService>>;
  let baseUrl: string;
  let projectId: string;
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

  beforeAll(async () => {
    // The root build does not build the web app (Vite does, not tsc): build it here when missing.
    if (!existsSync(join(WEB_DIST, 'index.html'))) execFileSync('npm', ['run', 'build', '-w', '@baton/web'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` or set CHROMIUM_PATH`);
    mkdirSync(SHOTS, { recursive: true });
    ns = await createTestNamespace();
    await startService('tasks', ns.env);
    gateway = await startService('gateway', { ...ns.env, WEB_DIST });
    baseUrl = gateway.url;
    // A project window also lists the project's sessions: the sessions service answers (no runner).
    await startService('sessions', { ...ns.env, BATON_PUBLIC_API_URL: gateway.url });
    // The gateway creates its bootstrap admin just after it starts listening.
    await eventually(async () => (await fetch(`${baseUrl}/api/me`, { headers: { authorization: `Bearer ${ns.token}` } })).ok, 15_000, 'the bootstrap admin');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // Chromium logs the refusals the test asks for: a bad token (401), form (400), missing project (404).
      if (m.type() === 'error' && !/status of 40[014]/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ns?.cleanup();
  });

  it('asks for a token, refuses an unknown one at the field, and signs in with a good one', async () => {
    await page.goto(`${baseUrl}/`);
    const token = page.getByLabel('Access token');
    await token.waitFor();
    expect(await page.title()).toBe('Sign in · Baton');
    await shot('00-sign-in');

    await token.fill('btn_not-a-real-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token is unknown or has been revoked.').waitFor();
    expect(await token.getAttribute('aria-invalid')).toBe('true');
    await shot('00-sign-in-refused');

    await token.fill(ns.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user').filter({ hasText: 'admin' }).waitFor();
  });

  it('opens on the empty projects list with the gateway connected', async () => {
    await page.waitForURL(`${baseUrl}/projects`);
    await page.getByTestId('projects-empty').waitFor();
    expect(await page.getByTestId('projects-empty').textContent()).toContain('No projects yet');
    await page.getByTestId('health').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.title()).toBe('Projects · Baton');
    await shot('01-projects-empty');
  });

  it('shows the API’s validation message at the field it names', async () => {
    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.waitFor();
    await dialog.getByLabel('Repository').fill('/srv/git/payments');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/projects') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    const res = await refused;
    expect(res.status()).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation', fields: [{ path: 'name' }] } });

    const name = dialog.getByLabel('Name');
    await dialog.locator('input[name="name"][aria-invalid="true"]').waitFor();
    const describedBy = (await name.getAttribute('aria-describedby')) ?? '';
    const message = await page.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent();
    expect(message).toBe('Must not be empty');
    expect(await dialog.getByLabel('Repository').getAttribute('aria-invalid')).toBe('false');
    expect(await dialog.locator('input[name="name"]:focus').count()).toBe(1); // the cursor goes to the problem
    await shot('02-new-project-invalid');
  });

  it('creates a project, disabling the form while it sends, and lists the new row', async () => {
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill('Payments');
    await dialog.getByLabel('Default branch').fill('develop');
    await dialog.getByLabel(/Concurrency limit/).fill('4');
    await dialog.getByLabel(/Environment/).fill('API_URL=http://localhost:8080\nLOG_LEVEL=debug');

    // Hold the request a moment so the sending state can be seen.
    await page.route('**/api/projects', async (route) => {
      if (route.request().method() === 'POST') await sleep(600);
      await route.continue();
    });
    const created = page.waitForResponse((r) => r.url().endsWith('/api/projects') && r.request().method() === 'POST');
    const readBack = page.waitForResponse((r) => /\/api\/projects\/[^/?]+\?/.test(r.url()));
    await dialog.getByRole('button', { name: 'Create project' }).click();
    const sending = dialog.getByRole('button', { name: 'Creating…' });
    await sending.waitFor();
    expect(await sending.isDisabled()).toBe(true);
    expect(await dialog.getByLabel('Name').isDisabled()).toBe(true);
    await shot('03-new-project-sending');

    const res = await created;
    await page.unroute('**/api/projects');
    expect(res.status()).toBe(201);
    const accepted = (await res.json()) as { id: string; seq: number };
    projectId = accepted.id;
    expect(res.request().headers()['idempotency-key']).toMatch(/^web-[0-9a-f]{32}$/);

    // The read-back asks for at least the sequence the command returned.
    const read = await readBack;
    expect(new URL(read.url()).pathname).toBe(`/api/projects/${projectId}`);
    expect(new URL(read.url()).searchParams.get('minSeq')).toBe(String(accepted.seq));

    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('project-row').filter({ hasText: 'Payments' });
    await row.waitFor();
    expect(await page.getByTestId('project-row').count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual(['Paymentsnew', '/srv/git/payments', 'develop', 'active', 'just now']);
    expect(await page.getByTestId('projects-empty').count()).toBe(0);
    await shot('04-projects-list');
  });

  it('opens the project’s detail page from its row, and the page survives a reload', async () => {
    await page.getByTestId('project-row').filter({ hasText: 'Payments' }).locator('td').nth(1).click();
    await page.waitForURL(`${baseUrl}/projects/${projectId}`);
    await page.getByTestId('project-name').waitFor();
    expect(await page.getByTestId('project-name').textContent()).toBe('Payments');
    const props = page.getByTestId('project-props');
    const text = await props.textContent();
    for (const want of ['/srv/git/payments', 'develop', '4 agents at once', 'API_URL', 'LOG_LEVEL']) expect(text).toContain(want);
    expect(await page.title()).toBe('Payments · Baton');
    await shot('05-project-detail');

    await page.reload();
    await page.getByTestId('project-name').waitFor();
    expect(await page.getByTestId('project-name').textContent()).toBe('Payments');

    await page.getByRole('link', { name: 'Projects' }).first().click();
    await page.waitForURL(`${baseUrl}/projects`);
    await page.getByTestId('project-row').first().waitFor();
  });

  it('says so for a project that does not exist, and shows an empty fleet', async () => {
    await page.goto(`${baseUrl}/projects/no_such_project`);
    await page.getByTestId('project-not-found').waitFor();
    await shot('06-project-not-found');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Fleet/ }).click();
    await page.waitForURL(`${baseUrl}/fleet`);
    await page.getByText('No runner has registered').waitFor();
    await shot('07-fleet-empty');
  });

  it('lets a viewer see the projects but not create one', async () => {
    const res = await fetch(`${baseUrl}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ns.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Vera', role: 'viewer' }),
    });
    expect(res.status).toBe(201);
    const viewer = (await res.json()) as { id: string; token: string };

    // Users other than admins see the projects they are members of: the admin adds Vera on the project's overview.
    await page.goto(`${baseUrl}/projects/${projectId}`);
    const members = page.getByTestId('project-members');
    await members.getByTestId('member-admin').waitFor();
    await members.getByLabel('User to add').selectOption(viewer.id);
    await members.getByLabel('Role of the new member').selectOption('viewer');
    await members.getByRole('button', { name: 'Add member' }).click();
    await members.getByTestId(`member-${viewer.id}`).waitFor();
    expect(await members.getByTestId(`member-${viewer.id}`).textContent()).toContain('Vera');
    await shot('08-members');
    await page.goto(`${baseUrl}/projects`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').fill(viewer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user').filter({ hasText: 'Vera' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Projects/ }).click();
    await page.getByTestId('project-row').filter({ hasText: 'Payments' }).waitFor();
    expect(await page.getByRole('button', { name: 'New project' }).isDisabled()).toBe(true);
    await shot('08-viewer');

    // A reload keeps the session: the token is remembered.
    await page.reload();
    await page.getByTestId('user').filter({ hasText: 'Vera' }).waitFor();
  });

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('turns the health indicator offline when the gateway goes away', async () => {
    await page.goto(`${baseUrl}/projects`);
    await page.getByTestId('health').filter({ hasText: 'Connected' }).waitFor();
    await gateway.kill9();
    await page.getByTestId('health').filter({ hasText: 'Offline' }).waitFor({ timeout: 12_000 });
    await shot('09-gateway-offline');
  });
});
