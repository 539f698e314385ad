/**
 * Answering an agent from a phone (issue #16 item 4): the built SPA on a real stack with a real
 * runner running `baton-demo-agent`, in a real Chromium at a phone's viewport (390×844, touch).
 * An agent asks a question; the inbox shows it with the question and a reply box (and the tab's
 * title counts it); the reply typed on the phone reaches the agent, which finishes. The app is
 * installable (a web manifest that opens on the inbox). Screenshots land in e2e/screenshots/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { ensureWebBuild, gitRepo, launchBrowser, restClient, SHOTS, startStack, type Stack } from './stack';

const PHONE = { width: 390, height: 844 };

describe('Answering an agent from a phone', () => {
  let ns: TestNamespace;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let rest: ReturnType<typeof restClient>;
  const pageErrors: string[] = [];
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
  /** Visible elements reaching past the screen's right edge (a page a phone user would scroll sideways, or lose): `tag.class +px`. */
  const pastTheEdge = () =>
    page.evaluate(() => {
      const out: string[] = [];
      for (const e of Array.from(document.querySelectorAll('body *'))) {
        const r = e.getBoundingClientRect();
        const by = Math.round(r.right - window.innerWidth);
        if (by <= 0 || r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
        // Cut off by a container that itself fits (a chart's last tick label): not seen, not scrolled to.
        // A scrolling container (overflow auto) does not count: the user would scroll it sideways.
        let contained = false;
        for (let a = e.parentElement; a && a !== document.body && !contained; a = a.parentElement) {
          contained = ['hidden', 'clip'].includes(getComputedStyle(a).overflowX) && a.getBoundingClientRect().right <= window.innerWidth;
        }
        if (!contained) out.push(`${e.tagName.toLowerCase()}.${String(e.getAttribute('class') ?? '').split(' ')[0]} +${by}px`);
      }
      return out.slice(0, 8);
    });

  beforeAll(async () => {
    ensureWebBuild();
    ns = await createTestNamespace();
    stack = await startStack(ns, { capacity: 4 });
    rest = restClient(stack.gatewayUrl, ns.token);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await ns?.cleanup();
  });

  it('shows the waiting agent in the inbox, counted in the title, and its reply from the phone lets it finish', async () => {
    const project = await rest<{ id: string }>('POST', '/api/projects', { name: 'Phone', repository: { location: gitRepo() } });
    const task = await rest<{ id: string }>('POST', `/api/projects/${project.id}/tasks`, { title: 'Pick a colour [ask]' });
    const attempt = await rest<{ id: string }>('POST', `/api/tasks/${task.id}/attempts`, { sessionTemplateId: 'baton-demo-agent' });
    const sessionId = await eventually(async () => (await rest<{ items: { id: string }[] }>('GET', `/api/sessions?attemptId=${attempt.id}`)).items[0]?.id, 30_000, "the attempt's session");

    await page.goto(`${stack.gatewayUrl}/inbox`);
    await page.getByLabel('Access token').fill(ns.token);
    await page.getByRole('button', { name: 'Sign in' }).tap();
    const card = page.locator(`[data-testid="inbox-card"][data-session-id="${sessionId}"]`);
    await card.waitFor({ timeout: 90_000 });
    await expect(card.getByTestId('inbox-ask').textContent()).resolves.toMatch(/\S/);
    await eventually(async () => (await page.title()) === '(1) Inbox · Baton', 10_000, 'the count in the title');
    expect(await pastTheEdge()).toEqual([]);
    // Touch-sized: every control of the card at least 44 px high.
    for (const b of await card.locator('button, textarea').all()) expect((await b.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await shot('phone-01-inbox');

    await card.getByTestId('inbox-reply').tap();
    await card.getByTestId('inbox-reply').fill('blue, like the sea');
    await card.getByRole('button', { name: /Send the reply/ }).tap();
    await eventually(async () => (await rest<{ status: string }>('GET', `/api/sessions/${sessionId}`)).status === 'completed', 120_000, 'the agent to finish after the reply');
    await page.getByTestId('inbox-empty').waitFor({ timeout: 30_000 });
    await eventually(async () => (await page.title()) === 'Inbox · Baton', 10_000, 'the count gone from the title');
    await shot('phone-02-inbox-empty');

    // The session itself at phone size: its terminal shows the answer, and nothing scrolls sideways.
    await page.goto(`${stack.gatewayUrl}/projects/${project.id}/sessions/${sessionId}`);
    const term = page.locator(`[data-testid="terminal"][data-session="${sessionId}"]`);
    await term.locator('.xterm-rows').filter({ hasText: 'blue, like the sea' }).waitFor({ timeout: 30_000 });
    expect(await pastTheEdge()).toEqual([]);
    await shot('phone-03-session', true);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('is installable: a web manifest that opens on the inbox', async () => {
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const res = await fetch(new URL(href!, stack.gatewayUrl));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Baton', start_url: '/inbox', display: 'standalone', icons: [expect.objectContaining({ src: '/favicon.svg' })] });
  });
});
