/**
 * The operator console on the whole product: the built SPA on the real gateway, the tasks and
 * sessions services, and a real runner that runs `baton-demo-agent` in a PTY, in a real
 * Chromium. One story: sign in → a project on a real git repository → two tasks, the second
 * depending on the first (with the API's validation at the field, and a refused drag) → a
 * demo-agent session started from the task → its terminal output live → its question
 * answered by typing into the terminal → the session completes, the task goes to review →
 * the finished session replayed and sought by event → the diff reviewed and merged → the
 * dependent task becomes ready, live → a gateway restart resumed without a reload → fifty
 * agents at a glance. Screenshots of every screen land in e2e/screenshots/.
 *
 * Needs `npm run build` (the web app is built when apps/web/dist is missing) and Chromium.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createTestNamespace, eventually, sleep, startService, type TestNamespace } from '@baton/testing';
import { ensureWebBuild, gitRepo, launchBrowser, restClient, SHOTS, startStack, type Stack } from './stack';

interface SessionJson {
  id: string;
  status: string;
  attemptId: string | null;
  taskIds: string[];
}
interface TaskJson {
  id: string;
  status: string;
  number: number;
}

describe('The operator console on a running stack', () => {
  let ns: TestNamespace;
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let rest: ReturnType<typeof restClient>;
  let repo: string;
  let projectId: string;
  let taskA: string;
  let taskB: string;
  let sessionId: string;
  const pageErrors: string[] = [];
  // Every page error, and every refused request but the one the story asks for (a form the API refuses).
  const watch = (p: Page) => {
    p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    p.on('response', (r) => {
      const what = `${r.status()} ${r.request().method()} ${r.url()}`;
      // A 5xx is a service's fault, not the console's (which retries): reported, not failed on.
      if (r.status() >= 500) console.warn(`e2e/web: a service answered ${what}`);
      else if (r.status() >= 400 && !(r.status() === 400 && r.request().method() === 'POST' && /\/tasks$/.test(r.url()))) pageErrors.push(what);
    });
  };
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
  const nav = (label: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).first().click();

  beforeAll(async () => {
    ensureWebBuild();
    ns = await createTestNamespace();
    stack = await startStack(ns, { capacity: 60 });
    base = stack.gatewayUrl;
    rest = restClient(base, ns.token);
    repo = gitRepo();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1600, height: 940 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    watch(page);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await ns?.cleanup();
  });

  it('signs in and shows the live connection in the top bar', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Access token').fill(ns.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/projects`);
    await page.locator('[data-testid="live"][data-status="connected"]').waitFor();
    await page.getByTestId('health').filter({ hasText: 'Connected' }).waitFor();
  });

  it('creates a project on a real git repository and opens its window', async () => {
    await page.getByRole('button', { name: 'New project' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill('Colours');
    await dialog.getByLabel('Repository').fill(repo);
    await dialog.getByLabel('Default branch').fill('main');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/projects') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    projectId = ((await (await created).json()) as { id: string }).id;
    await page.getByTestId('project-row').filter({ hasText: 'Colours' }).locator('td').nth(1).click();
    await page.waitForURL(`${base}/projects/${projectId}`);
    await page.getByTestId('project-name').filter({ hasText: 'Colours' }).waitFor();
    // The window follows its project's room only.
    await eventually(async () => (await page.getByTestId('live').getAttribute('title'))?.includes(`following: project:${projectId}`), 10_000, 'the project room');
    expect(await page.getByTestId('live').getAttribute('title')).not.toContain(',');
  });

  it('creates two tasks, the second depending on the first, with the API’s message at the field', async () => {
    await nav('Board');
    await page.waitForURL(`${base}/projects/${projectId}/board`);
    await page.getByRole('button', { name: 'New task' }).click();
    const drawer = page.getByRole('dialog', { name: 'New task' });
    await drawer.getByRole('button', { name: 'Create task' }).click();
    await drawer.locator('input[name="title"][aria-invalid="true"]').waitFor();
    expect(await drawer.getByText('Must not be empty').count()).toBeGreaterThan(0);
    await shot('10-task-invalid');

    await drawer.getByLabel('Title').fill('Pick a colour [ask]');
    await drawer.getByLabel(/Description/).fill('Choose the colour of the theme and write it down.');
    await drawer.getByLabel(/Acceptance criteria/).fill('the colour is written down\nthe choice is explained');
    await drawer.getByLabel('Priority').selectOption('1');
    await drawer.getByLabel(/Labels/).fill('design');
    await drawer.getByRole('button', { name: 'Create task' }).click();
    await drawer.waitFor({ state: 'detached' });
    const cardA = page.getByTestId('task-card').filter({ hasText: 'Pick a colour' });
    await page.getByTestId('column-ready').getByTestId('task-card').filter({ hasText: 'Pick a colour' }).waitFor();
    taskA = (await cardA.getAttribute('data-task'))!;

    await page.getByRole('button', { name: 'New task' }).click();
    await drawer.getByLabel('Title').fill('Write the colour into the style guide');
    await drawer.getByLabel(/Depends on/).selectOption({ label: '#1 Pick a colour [ask]' });
    await drawer.getByRole('button', { name: 'Create task' }).click();
    await drawer.waitFor({ state: 'detached' });
    const cardB = page.getByTestId('column-todo').getByTestId('task-card').filter({ hasText: 'style guide' });
    await cardB.waitFor();
    taskB = (await cardB.getAttribute('data-task'))!;
    expect(await cardB.textContent()).toContain('waits for #1');
    await shot('11-board');
  });

  it('refuses a drag the API has no command for, with the reason', async () => {
    const cardB = page.getByTestId('task-card').filter({ hasText: 'style guide' });
    await cardB.dragTo(page.getByTestId('column-in_progress'));
    await page.getByTestId('toast').filter({ hasText: 'Start an attempt' }).waitFor();
    expect(await page.getByTestId('column-todo').getByTestId('task-card').filter({ hasText: 'style guide' }).count()).toBe(1);
    await shot('12-board-refused');
  });

  it('draws the dependency graph and says what finishing a task would unblock', async () => {
    await nav('Dependencies');
    await page.getByTestId('dag-node').first().waitFor();
    await page.locator(`[data-testid="dag-node"][data-task="${taskA}"]`).click();
    await page.getByTestId('unblocks').filter({ hasText: 'style guide' }).waitFor();
    await shot('13-dependencies');
    await nav('Tasks');
    await page.getByTestId('tree-row').nth(1).waitFor();
    await shot('14-task-tree');
  });

  it('starts a demo-agent session from the task and shows its terminal live', async () => {
    await page.goto(`${base}/projects/${projectId}/tasks/${taskA}`);
    await page.getByTestId('task-title').filter({ hasText: 'Pick a colour' }).waitFor();
    expect(await page.getByTestId('criteria').textContent()).toContain('the colour is written down');
    await page.getByTestId('task-unblocks').filter({ hasText: 'style guide' }).waitFor();
    await shot('15-task-detail');
    await page.getByTestId('start-session').click();
    await page.waitForURL(new RegExp(`/projects/${projectId}/sessions/[^/]+$`));
    sessionId = page.url().split('/').pop()!;
    const term = page.locator(`[data-testid="terminal"][data-session="${sessionId}"]`);
    await term.locator('.xterm-rows').filter({ hasText: /Pick a colour/ }).waitFor({ timeout: 60_000 });
    await shot('16-session-working');
  }, 90_000);

  it('surfaces the agent’s question loudly and takes the answer typed into the terminal', async () => {
    await page.getByTestId('needs-input-banner').waitFor({ timeout: 60_000 });
    await page.getByTestId('session-asks').waitFor();
    const term = page.locator(`[data-testid="terminal"][data-session="${sessionId}"]`);
    await term.locator('.xterm-rows').filter({ hasText: 'How should I go about' }).waitFor();
    await shot('17-needs-input');
    await term.locator('.xterm-screen').click();
    await page.keyboard.type('blue, like the sea');
    await page.keyboard.press('Enter');
    await term.locator('.xterm-rows').filter({ hasText: 'blue, like the sea' }).waitFor();
    await page.locator('.page__title-row [data-testid="session-status"][data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('needs-input-banner').count()).toBe(0);
    // The page showed it from the live event; the read model agrees a moment later.
    await eventually(async () => (await rest<SessionJson>('GET', `/api/sessions/${sessionId}`)).status === 'completed', 10_000, 'the session completed by REST');
    await page.getByTestId('gantt-mark').first().waitFor();
    await shot('18-session-completed', true);
    const task = await eventually(async () => {
      const t = await rest<TaskJson>('GET', `/api/tasks/${taskA}`);
      return t.status === 'in_review' ? t : null;
    }, 20_000, 'the task to go to review');
    expect(task.status).toBe('in_review');
  }, 150_000);

  it('shows every session of the project on the timeline, and the sessions grid', async () => {
    await nav('Timeline');
    await page.getByTestId('gantt').waitFor();
    await page.locator('[data-lane^="session:"]').first().waitFor();
    await shot('19-project-timeline');
    await nav('Sessions');
    await page.getByTestId('session-tile').first().waitFor();
    await page.locator('[data-testid="session-tile"] [data-attached="true"]').first().waitFor();
    await shot('20-sessions-grid');
  });

  it('replays the finished session: screen and status at any instant, sought by event', async () => {
    await nav('Replay');
    await page.getByTestId('replay-list').getByRole('link').first().click();
    await page.waitForURL(`${base}/projects/${projectId}/replay/${sessionId}`);
    const screen = page.getByTestId('replay-screen');
    await screen.locator('.xterm-rows').filter({ hasText: 'blue, like the sea' }).waitFor({ timeout: 30_000 });
    // Back to the start: nothing asked yet.
    await page.getByLabel('Position').fill('0');
    await eventually(async () => !(await screen.locator('.xterm-rows').textContent())?.includes('How should I go about'), 10_000, 'the screen at the start');
    // Seek to the question by its timeline event: the screen shows it and the log says needs_input.
    await page.getByTestId('replay-events').getByRole('button').filter({ hasText: 'needs input' }).first().click();
    await page.getByTestId('replay-status').filter({ hasText: 'needs_input' }).waitFor();
    await screen.locator('.xterm-rows').filter({ hasText: 'How should I go about' }).waitFor();
    await shot('21-replay-at-question');
    // Play at ×16 to the end.
    await page.getByRole('group', { name: 'Speed' }).getByRole('button', { name: '×16' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    await screen.locator('.xterm-rows').filter({ hasText: 'blue, like the sea' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Play' }).waitFor({ timeout: 30_000 }); // stopped at the end
    await page.getByTestId('replay-status').filter({ hasText: 'completed' }).waitFor();
    await shot('22-replay-end');
  }, 90_000);

  it('reviews the attempt’s diff with an inline comment, merges it, and the dependent task becomes ready live', async () => {
    await page.goto(`${base}/projects/${projectId}/board`);
    await page.getByTestId('column-todo').getByTestId('task-card').filter({ hasText: 'style guide' }).waitFor();
    await nav('Review');
    await page.getByTestId('review-list').getByRole('link').first().click();
    const file = page.getByTestId('diff-file').filter({ hasText: 'baton-demo/pick-a-colour.md' });
    await file.waitFor({ timeout: 30_000 });
    expect(await file.textContent()).toContain('blue, like the sea');
    expect(await file.locator('.hljs-section, .hljs-bullet, .hljs-quote').count()).toBeGreaterThan(0); // highlighted markdown
    await file.getByTestId('comment-line').nth(1).click();
    await file.getByRole('textbox', { name: 'Comment' }).fill('Say which shade of blue.');
    await file.getByRole('button', { name: 'Add comment' }).click();
    await file.getByTestId('inline-comment').waitFor();
    await shot('23-review', true);
    await file.getByRole('button', { name: 'Remove' }).click();

    await page.getByTestId('merge').click();
    await page.getByTestId('confirm-merge').click();
    await page.getByTestId('toast').filter({ hasText: /Merged as [0-9a-f]{10} into main/ }).waitFor({ timeout: 30_000 });
    const attemptId = new URL(page.url()).pathname.split('/').pop()!;
    await eventually(async () => (await rest<{ status: string }>('GET', `/api/attempts/${attemptId}`)).status === 'merged', 15_000, 'the attempt merged');
    await page.getByTestId('attempt-status').filter({ hasText: 'merged' }).waitFor();

    await nav('Board');
    await page.getByTestId('column-done').getByTestId('task-card').filter({ hasText: 'Pick a colour' }).waitFor();
    await page.getByTestId('column-ready').getByTestId('task-card').filter({ hasText: 'style guide' }).waitFor();
    expect((await rest<TaskJson>('GET', `/api/tasks/${taskB}`)).status).toBe('ready');
    await shot('24-board-after-merge');
  }, 90_000);

  it('shows usage and metrics, and the fleet', async () => {
    await nav('Usage & metrics');
    await page.getByTestId('cost-per-task').waitFor();
    await page.locator('.chart').first().waitFor();
    await shot('25-usage-metrics', true);
    await nav('Overview');
    await page.getByTestId('project-props').waitFor();
    await shot('26-overview');
    await page.goto(`${base}/fleet`);
    await page.getByTestId('runner-row').filter({ hasText: 'r1' }).filter({ hasText: 'Healthy' }).waitFor();
    await shot('27-fleet');
  });

  it('resumes after the gateway restarts: what happened meanwhile appears without a reload', async () => {
    await page.goto(`${base}/projects/${projectId}/board`);
    await page.getByTestId('task-card').first().waitFor();
    await page.locator('[data-testid="live"][data-status="connected"]').waitFor();
    const port = stack.gateway.port;
    // A second gateway for this test's own writes while the browser's one is down.
    const other = await startService('gateway', stack.gatewayEnv);
    await stack.gateway.kill9();
    await page.locator('[data-testid="live"][data-status="reconnecting"]').waitFor({ timeout: 15_000 });
    await shot('28-reconnecting');
    await restClient(other.url, ns.token)('POST', `/api/projects/${projectId}/tasks`, { title: 'Added while the console was away' });
    stack.gateway = await startService('gateway', stack.gatewayEnv, { port });
    await page.locator('[data-testid="live"][data-status="connected"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('task-card').filter({ hasText: 'Added while the console was away' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('task-card').filter({ hasText: 'Added while the console was away' }).count()).toBe(1);
  }, 90_000);

  it('shows fifty agents at a glance, each in its live terminal', async () => {
    const fleet = await rest<{ id: string; seq: number }>('POST', '/api/projects', { name: 'Fleet demo', repository: { location: gitRepo(), defaultBranch: 'main' } });
    const script = [
      'n=0; c=$(( $$ % 6 + 31 ))',
      'printf "\\033[1;${c}mbaton fake-agent\\033[0m  session %s\\n" "$BATON_SESSION_ID"',
      'while true; do n=$((n+1)); printf "\\033[2m%s\\033[0m step %d: \\033[${c}m%s\\033[0m\\n" "$(date +%T)" "$n" "editing src/module_$((n % 17)).ts, running tests"; sleep 0.5; done',
    ].join('\n');
    const tpl = await rest<{ id: string; seq: number }>('POST', `/api/session-templates?minSeq=${fleet.seq}`, { projectId: fleet.id, spec: { name: 'fake-agent', kind: 'command', argv: ['sh', '-c', script] } });
    await Promise.all(Array.from({ length: 50 }, (_, i) => rest('POST', `/api/projects/${fleet.id}/sessions?minSeq=${tpl.seq}`, { templateId: tpl.id, name: `agent-${String(i + 1).padStart(2, '0')}` })));
    const placed = async () => (await rest<{ items: { runnerId: string | null }[] }>('GET', `/api/sessions?projectId=${fleet.id}&limit=100`)).items.filter((s) => s.runnerId).length >= 50;
    await eventually(placed, 60_000, 'fifty sessions placed');
    await context.close();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    page = await context.newPage();
    watch(page);
    await page.goto(`${base}/`);
    await page.getByLabel('Access token').fill(ns.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/projects`);
    await page.goto(`${base}/projects/${fleet.id}/sessions`);
    await eventually(async () => (await page.getByTestId('session-tile').count()) === 50, 30_000, 'fifty tiles');
    // Fifty fit on one screen: every tile attached, every terminal showing its agent's output.
    // (A tile paints its screen on a canvas labelled with the last line painted.)
    await eventually(async () => (await page.locator('[data-testid="session-tile"] canvas[aria-label*="step"]').count()) >= 50, 90_000, 'output in all fifty terminals');
    await sleep(1_500);
    await shot('29-fifty-agents');
    // Large tiles: those below the fold detach (IntersectionObserver) until scrolled to.
    await page.getByRole('group', { name: 'Tile size' }).getByRole('button', { name: 'Tile size l' }).click();
    await eventually(async () => (await page.locator('[data-testid="session-tile"] [data-attached="false"]').count()) >= 30, 15_000, 'off-screen terminals detached');
    const last = page.getByTestId('session-tile').last();
    await last.scrollIntoViewIfNeeded();
    await last.locator('[data-attached="true"]').waitFor();
    await last.locator('canvas[aria-label*="step"]').waitFor();
    // Clicking a tile gives a real terminal to type into; Escape goes back to the preview.
    await last.locator('canvas').click();
    await last.locator('.xterm-rows').filter({ hasText: 'step' }).waitFor();
    await shot('31-tile-focused');
    await page.keyboard.press('Escape');
    await last.locator('canvas').waitFor();
    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Tree' }).click();
    await page.getByTestId('session-tree').waitFor();
    await shot('30-sessions-tree');
  }, 180_000);

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
