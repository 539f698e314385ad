'use strict';
/* global sessionStorage, document, MutationObserver, PerformanceObserver, requestAnimationFrame -- functions passed to page.evaluate run in the browser */
// Web suite: the operator console in a real Chromium (Debian's, via playwright-core) against
// the whole product. (1) command → visible update: a REST command sent from the page, timed
// until the DOM shows its effect (it arrives through the live socket, nothing is reloaded);
// (2) fifty live terminals on one page, each receiving output: frames per second
// (requestAnimationFrame) and main-thread busy % (CDP task time; long tasks alongside).

const fs = require('node:fs');
const { chromium } = require('playwright-core');
const { startSessionsStack, gitRepo, sleep } = require('./lib/sessions-stack');
const { percentile, round } = require('./lib/measure');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'];
const FINAL = new Set(['completed', 'failed', 'stopped', 'succeeded', 'exited']);

async function run(ctx) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const stack = await startSessionsStack(ctx, { capacity: 64 });
  const { api, token } = stack;
  ctx.log(`stack up: ${stack.gateway.url}`);
  const project = await api.post('/api/projects', { name: 'bench web', repository: { location: gitRepo(ctx), defaultBranch: 'main' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  ctx.defer(() => browser.close());
  ctx.log('browser up');
  const open = async (path, viewport) => {
    const context = await browser.newContext({ viewport });
    // Signed in as the console keeps it: the token in the tab's sessionStorage (apps/web/src/api/credentials.ts).
    await context.addInitScript((t) => sessionStorage.setItem('baton.token', t), token);
    const page = await context.newPage();
    page.on('pageerror', (e) => ctx.log('page error:', e.message));
    await page.goto(`${stack.gateway.url}${path}`);
    await page.locator('[data-testid="live"][data-status="connected"]').waitFor({ timeout: 30_000 });
    return { context, page };
  };

  if (ctx.wants('web.command')) await commandToDom(ctx, open, project.id, token);
  if (ctx.wants('web.terminals')) await fiftyTerminals(ctx, open, api, project.id);
}

/**
 * Creates tasks from inside the page (fetch with the token, as another client would) and
 * waits with a MutationObserver until the board shows each one's card.
 */
async function commandToDom(ctx, open, projectId, token) {
  const { page, context } = await open(`/projects/${projectId}/board`, { width: 1600, height: 1000 });
  await page.getByTestId('board').waitFor();
  ctx.log('board open; measuring command → DOM');
  const samples = ctx.size(200);
  const warmup = 10;
  const { out: times, acks } = await page.evaluate(
    async ({ projectId, samples, warmup, token }) => {
      const board = document.querySelector('[data-testid="board"]');
      const out = [];
      const acks = [];
      for (let i = 0; i < samples + warmup; i++) {
        const title = `bench task ${i} ${Math.random().toString(36).slice(2, 8)}`;
        const seen = new Promise((resolve) => {
          const has = () => [...board.querySelectorAll('[data-testid="task-card"]')].some((c) => c.textContent.includes(title));
          const mo = new MutationObserver(() => {
            if (has()) {
              mo.disconnect();
              resolve(performance.now());
            }
          });
          mo.observe(board, { childList: true, subtree: true, characterData: true });
        });
        const t0 = performance.now();
        const res = await fetch(`/api/projects/${projectId}/tasks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
        if (!res.ok) throw new Error(`create task: ${res.status}`);
        const tAck = performance.now();
        const t1 = await seen;
        if (i >= warmup) {
          out.push(t1 - t0);
          acks.push(tAck - t0);
        }
      }
      return { out, acks };
    },
    { projectId, samples, warmup, token },
  );
  await context.close();
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  // Baseline from the same run: the REST command's own answer (the part no UI can beat).
  const raw50 = percentile(acks, 50);
  const raw99 = percentile(acks, 99);
  ctx.report({ name: 'web.command_to_dom.p50', value: round(p50, 1), unit: 'ms', raw: round(raw50, 1), ratio: round(p50 / raw50, 2), target: 'value<=50', ok: p50 <= 50 });
  ctx.report({ name: 'web.command_to_dom.p99', value: round(p99, 1), unit: 'ms', raw: round(raw99, 1), ratio: round(p99 / raw99, 2), target: 'value<=250', ok: p99 <= 250 });
  ctx.log(`command → DOM over ${times.length} creates: min ${round(sorted[0], 1)} ms, max ${round(sorted[sorted.length - 1], 1)} ms; load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

/** Fifty command sessions printing a line every 100 ms, all visible at once on the sessions grid. */
async function fiftyTerminals(ctx, open, api, projectId) {
  const n = 50;
  const script = 'i=0; while :; do i=$((i+1)); printf "\\033[32m%s\\033[0m line %d: editing src/file_%d.ts, running the tests, all green\\n" "$(date +%T)" "$i" "$((i % 37))"; sleep 0.1; done';
  const tpl = await api.post('/api/session-templates', { projectId, spec: { name: 'printer', kind: 'command', argv: ['sh', '-c', script] } });
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await api.post(`/api/projects/${projectId}/sessions`, { templateId: tpl.id, name: `printer-${i + 1}` }, { minSeq: tpl.seq })).id);
  // Runners admit starts at their machine's pace (docs/decisions/0026): slower under load, not failed.
  const started = Date.now();
  const deadline = started + 300_000;
  let told = started;
  for (;;) {
    const page = await api.get('/api/sessions', { projectId, limit: 1000 });
    const mine = page.items.filter((s) => ids.includes(s.id));
    const dead = mine.find((s) => FINAL.has(s.status));
    if (dead) throw new Error(`session ${dead.id} ended ${dead.status}: ${dead.endedReason}`);
    if (mine.length === n && mine.every((s) => s.ready)) break;
    const waiting = () => mine.filter((s) => !s.ready).map((s) => `${s.status}: ${s.statusReason}`);
    if (Date.now() > deadline) throw new Error(`${mine.filter((s) => s.ready).length} of ${n} sessions ready after 300 s; the others: ${[...new Set(waiting())].join(' | ')}`);
    if (Date.now() - told > 30_000) {
      told = Date.now();
      ctx.log(`${mine.filter((s) => s.ready).length} of ${n} ready after ${Math.round((told - started) / 1000)} s; waiting: ${[...new Set(waiting())].slice(0, 3).join(' | ')}`);
    }
    await sleep(500);
  }
  ctx.log(`fifty terminals ready in ${Math.round((Date.now() - started) / 1000)} s`);
  // Full HD with the smallest tiles: all fifty on screen (off-screen tiles detach by design).
  const { page, context } = await open(`/projects/${projectId}/sessions`, { width: 1920, height: 1080 });
  await page.getByRole('group', { name: 'Tile size' }).getByRole('button', { name: 'Tile size xs' }).click();
  const attachedDeadline = Date.now() + 60_000;
  let attached = 0;
  while (Date.now() < attachedDeadline) {
    attached = await page.locator('[data-testid="session-tile"] [data-attached="true"]').count();
    if (attached >= n) break;
    await sleep(500);
  }
  await sleep(3_000); // let the snapshots settle
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name).value;
  const windowMs = 10_000;
  const task0 = await metric('TaskDuration');
  const script0 = await metric('ScriptDuration');
  const result = await page.evaluate(async (windowMs) => {
    let frames = 0;
    let longMs = 0;
    let worst = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longMs += e.duration;
    });
    try {
      obs.observe({ type: 'longtask', buffered: false });
    } catch {
      /* no long task API */
    }
    // A tile's canvas is labelled with the last line it painted.
    const rows = () => [...document.querySelectorAll('[data-testid="session-tile"] [data-testid="terminal"] canvas')].map((c) => c.getAttribute('aria-label'));
    const before = rows();
    const t0 = performance.now();
    let last = t0;
    await new Promise((resolve) => {
      const tick = (now) => {
        frames++;
        worst = Math.max(worst, now - last);
        last = now;
        if (now - t0 < windowMs) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    obs.disconnect();
    const elapsed = performance.now() - t0;
    const after = rows();
    const changed = after.filter((label, i) => label !== before[i]).length;
    return { fps: (frames * 1000) / elapsed, longMs, elapsed, worst, changed };
  }, windowMs);
  const busy = ((await metric('TaskDuration')) - task0) * 1000;
  const scriptMs = ((await metric('ScriptDuration')) - script0) * 1000;
  await context.close();
  ctx.report({ name: 'web.terminals50.attached', value: attached, unit: 'terminals' });
  ctx.report({ name: 'web.terminals50.updating', value: result.changed, unit: 'terminals', target: `value>=${n}`, ok: result.changed >= n });
  ctx.report({ name: 'web.terminals50.fps', value: round(result.fps, 1), unit: 'fps' });
  ctx.report({ name: 'web.terminals50.main_thread_busy', value: round((busy / result.elapsed) * 100, 1), unit: '%' });
  ctx.report({ name: 'web.terminals50.long_tasks', value: round((result.longMs / result.elapsed) * 100, 1), unit: '%' });
  ctx.log(`50 terminals: script ${round(scriptMs, 0)} ms of ${round(result.elapsed, 0)} ms, worst frame gap ${round(result.worst, 1)} ms, load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const id of ids) await api.post(`/api/sessions/${id}/stop`, { reason: 'bench done' }).catch(() => undefined);
}

module.exports = { run };
