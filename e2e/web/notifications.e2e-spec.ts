/**
 * Notifications (issue #16 item 3): the built SPA on a real stack with a real runner running
 * `baton-demo-agent`, in a real Chromium with the `notifications` permission granted. The
 * Notifications page adds a webhook channel pointing at a real HTTP receiver on loopback and
 * sends it a test; then an agent asks a question: the browser shows a notification (the app
 * calls the real Notification API; an init script only records the calls), the tab's title and
 * icon count it, the receiver gets the signed webhook, and the notification opens the session's
 * answer box. Screenshots of the page (desktop and 390×844) land in e2e/screenshots/.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createTestNamespace, eventually, type TestNamespace } from '@baton/testing';
import { ensureWebBuild, gitRepo, launchBrowser, restClient, SHOTS, startStack, type Stack } from './stack';

interface Hook {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Records every call of the real Notification constructor (and keeps the instances, to click one). */
const RECORD_NOTIFICATIONS = () => {
  const Real = window.Notification;
  const calls: { title: string; body: string; tag: string }[] = [];
  const made: Notification[] = [];
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      calls.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
      made.push(this);
    }
  }
  Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  Object.assign(window, { __notifications: calls, __notificationObjects: made });
};

describe('Notifications in the browser and by webhook', () => {
  let ns: TestNamespace;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let rest: ReturnType<typeof restClient>;
  let receiver: Server;
  let receiverUrl = '';
  const hooks: Hook[] = [];
  const pageErrors: string[] = [];
  const SECRET = 'e2e-receiver-secret-0123';
  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });

  beforeAll(async () => {
    ensureWebBuild();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    ns = await createTestNamespace();
    stack = await startStack(ns, { capacity: 4 });
    rest = restClient(stack.gatewayUrl, ns.token);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['notifications'], { origin: stack.gatewayUrl });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await ns?.cleanup();
    receiver?.close();
  });

  it('adds a webhook channel on the Notifications page and its test reaches a real receiver, signed', async () => {
    await page.goto(`${stack.gatewayUrl}/notifications`);
    await page.getByLabel('Access token').fill(ns.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await expect(page.getByTestId('browser-notifications').textContent()).resolves.toMatch(/^This browserOn:/);

    const form = page.getByRole('form', { name: 'Add a channel' });
    await form.getByLabel('Name').fill('My receiver');
    await form.getByLabel('URL').fill(`${receiverUrl}?token=hidden-part`);
    await form.getByLabel('Signing secret').fill(SECRET);
    await form.getByLabel('Completed').check();
    await form.getByRole('button', { name: 'Add channel' }).click();
    const row = page.getByTestId('notification-channels').locator('tr', { hasText: 'My receiver' });
    await row.waitFor();
    // Write-only: the page shows where it goes, never the query (a token) or the secret.
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe(`${new URL(receiverUrl).origin}/••••`);
    expect(await page.content()).not.toContain(SECRET);

    await row.getByRole('button', { name: 'Send test' }).click();
    const test = await eventually(() => hooks.find((h) => h.headers['x-baton-event'] === 'test'), 20_000, 'the test webhook');
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${String(test.headers['x-baton-timestamp'])}.${test.body}`).digest('hex')}`;
    expect(test.headers['x-baton-signature']).toBe(expected);
    expect(JSON.parse(test.body)).toMatchObject({ kind: 'test', id: test.headers['x-baton-delivery'] });
    await page.getByTestId('notification-deliveries').locator('tr', { hasText: 'Test' }).locator('.badge', { hasText: 'delivered' }).waitFor({ timeout: 15_000 });
    // Its rules change in place: one event off, another on.
    await row.getByRole('button', { name: 'Edit rules' }).click();
    const rules = page.getByRole('form', { name: 'Rules of My receiver' });
    await rules.getByLabel('Failed', { exact: true }).uncheck();
    await rules.getByLabel('Runner lost').check();
    await shot('notifications-00-editing-rules');
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await row.locator('.chip', { hasText: 'Runner lost' }).waitFor();
    await expect(row.locator('.chip').allTextContents()).resolves.toEqual(['Needs input', 'Permission prompt', 'Completed', 'Runner lost']);
    const [saved] = await rest<{ rules: { kinds: string[] } }[]>('GET', '/api/notifications/channels');
    expect(saved.rules.kinds).toEqual(['needs_input', 'permission_prompt', 'completed', 'runner_lost']);
    await shot('notifications-01-desktop');
    await page.getByTestId('notification-deliveries').screenshot({ path: join(SHOTS, 'notifications-01b-delivery-log.png'), animations: 'disabled' });

    // At a phone's width nothing reaches past the screen's edge: channels and deliveries stack as cards.
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.page *'))
        .filter((e) => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}.${String(e.getAttribute('class') ?? '').split(' ')[0]}`)
        .slice(0, 8),
    );
    expect(wide).toEqual([]);
    await shot('notifications-02-phone');
    await page.getByTestId('notification-channels').scrollIntoViewIfNeeded();
    await shot('notifications-02b-phone-channels');
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 120_000);

  it('shows a browser notification when an agent starts waiting, counts it in the title and icon, and opens the answer box', async () => {
    const project = await rest<{ id: string }>('POST', '/api/projects', { name: 'Notified', repository: { location: gitRepo() } });
    await page.goto(`${stack.gatewayUrl}/projects`);
    // The shell has looked once (nothing waits): what starts waiting from now on rings.
    await page.waitForTimeout(4_500);
    const task = await rest<{ id: string }>('POST', `/api/projects/${project.id}/tasks`, { title: 'Pick a colour [ask]' });
    const attempt = await rest<{ id: string }>('POST', `/api/tasks/${task.id}/attempts`, { sessionTemplateId: 'baton-demo-agent' });
    const sessionId = await eventually(async () => (await rest<{ items: { id: string }[] }>('GET', `/api/sessions?attemptId=${attempt.id}`)).items[0]?.id, 30_000, "the attempt's session");

    const shown = await eventually(
      async () => (await page.evaluate(() => (window as unknown as { __notifications: { title: string; body: string; tag: string }[] }).__notifications)).find((n) => n.tag === `baton-session-${sessionId}`),
      90_000,
      'a browser notification',
    );
    expect(shown.title).toMatch(/needs you$/);
    expect(shown.body).toMatch(/\S/);
    await eventually(async () => /^\(1\) /.test(await page.title()), 10_000, 'the count in the title');
    await expect(page.locator('link[rel="icon"]').getAttribute('href')).resolves.toMatch(/^data:image\/png;base64,/);
    // The receiver hears of it too, with a link to the answer box.
    const hook = await eventually(() => hooks.find((h) => h.headers['x-baton-event'] === 'needs_input'), 30_000, 'the needs_input webhook');
    expect((JSON.parse(hook.body) as { link: string }).link).toMatch(new RegExp(`/projects/${project.id}/sessions/${sessionId}#answer$`));

    // A click on the notification opens the session's answer box.
    await page.evaluate((tag) => {
      const made = (window as unknown as { __notificationObjects: Notification[] }).__notificationObjects;
      made.find((n) => n.tag === tag)?.onclick?.(new Event('click'));
    }, `baton-session-${sessionId}`);
    await page.waitForURL(`**/projects/${project.id}/sessions/${sessionId}#answer`);
    await page.locator('form#answer').waitFor();
    await expect(page.locator('form#answer input').evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    await shot('notifications-03-answer-box', false);
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
