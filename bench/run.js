#!/usr/bin/env node
'use strict';
// Benchmark runner: `node bench/run.js <suite...|all> [--scale=0.1] [--only=regex] [--out=results.json]`.
// A suite is `bench/<suite>.js` exporting `async function run(ctx)` (see bench/lib/harness.js
// for ctx). Figures go to stdout as `BENCH {json}` lines; progress goes to stderr.
// Exit code is 0 when every suite ran to the end, whatever its figures say; non-zero on a crash.

const fs = require('node:fs');
const path = require('node:path');

// Known suites in the order `all` runs them; `all` also picks up any other bench/<name>.js.
const KNOWN = ['core', 'sessions', 'web', 'cluster', 'autopilot'];
const NOT_SUITES = new Set(['run']);

function suiteFile(name) {
  return path.join(__dirname, `${name}.js`);
}

function availableSuites() {
  const extra = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_SUITES.has(n) && !KNOWN.includes(n))
    .sort();
  return [...KNOWN.filter((n) => fs.existsSync(suiteFile(n))), ...extra];
}

function parseArgs(argv) {
  const opts = { suites: [], scale: Number(process.env.BENCH_SCALE || 1), out: process.env.BENCH_OUT || null, only: process.env.BENCH_ONLY || null };
  for (const a of argv) {
    if (a.startsWith('--scale=')) opts.scale = Number(a.slice('--scale='.length));
    else if (a.startsWith('--out=')) opts.out = a.slice('--out='.length);
    else if (a.startsWith('--only=')) opts.only = a.slice('--only='.length);
    else if (a === '-h' || a === '--help') opts.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.suites.push(a);
  }
  if (!(opts.scale > 0)) throw new Error('--scale must be a positive number');
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  const available = availableSuites();
  if (opts.help || !opts.suites.length) {
    console.error(`usage: node bench/run.js <${[...available, 'all'].join('|')}>... [--scale=N] [--only=regex] [--out=file.json]`);
    return opts.help ? 0 : 2;
  }
  const suites = opts.suites.includes('all') ? available : [...new Set(opts.suites)];
  const unknown = suites.filter((s) => !available.includes(s));
  if (unknown.length) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }

  // Loaded after argument checks so `--help` works before a build.
  let harness;
  try {
    harness = require('./lib/harness');
    require.resolve('@baton/event-store');
  } catch (e) {
    console.error(`cannot load the built code (${e.message}); run \`npm run build\` first`);
    return 2;
  }
  const { createContext, infraFromEnv, newRunId, sweepStale, log } = harness;
  const { natsUrl, databaseUrl } = infraFromEnv();
  const runId = newRunId();
  const results = [];
  log(`run ${runId}: suites ${suites.join(', ')}; NATS ${natsUrl}; Postgres ${new URL(databaseUrl).host}; scale ${opts.scale}`);
  await sweepStale(natsUrl, databaseUrl).catch((e) => log('sweep of stale bench namespaces failed:', e.message));

  // Ctrl-C / SIGTERM still remove what the running suite created.
  let current = null;
  let interrupted = 0;
  const onSignal = (signal) => {
    log(`${signal}: cleaning up`);
    interrupted = signal === 'SIGINT' ? 130 : 143;
    const done = current ? current() : Promise.resolve();
    done.finally(() => process.exit(interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let crashed = 0;
  const started = performance.now();
  for (const suite of suites) {
    if (interrupted) break;
    const { ctx, cleanup } = createContext({ suite, runId, natsUrl, databaseUrl, scale: opts.scale, only: opts.only, results });
    current = cleanup;
    const t0 = performance.now();
    try {
      const mod = require(suiteFile(suite));
      if (typeof mod.run !== 'function') throw new Error(`bench/${suite}.js does not export run(ctx)`);
      await mod.run(ctx);
      log(`suite ${suite} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      if (interrupted) break; // the signal handler cleans up and exits
      crashed++;
      log(`suite ${suite} CRASHED after ${((performance.now() - t0) / 1000).toFixed(1)} s:`, e && e.stack ? e.stack : e);
    } finally {
      await cleanup();
      current = null;
    }
  }

  if (interrupted) return new Promise(() => undefined); // the signal handler exits once cleanup is done
  const missed = results.filter((r) => r.ok === false).map((r) => r.name);
  log(`finished in ${((performance.now() - started) / 1000).toFixed(1)} s: ${results.length} figures, ${missed.length ? `targets MISSED: ${missed.join(', ')}` : 'all targets met'}${crashed ? `, ${crashed} suite(s) crashed` : ''}`);
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify({ runId, suites, scale: opts.scale, results }, null, 2) + '\n');
  return crashed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
