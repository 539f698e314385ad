'use strict';
// Sessions suite: the whole product (tasks, gateway, sessions, one runner with 100 slots) as
// real processes. 100 concurrent demo agents on one runner (its RSS and CPU from /proc),
// spawn latency from the sessions' own events, terminal throughput PTY → socket.io for one
// session and for 20 at once, and keystroke round trips — each beside node-pty alone in this
// process, measured in the same run.

const path = require('node:path');
const pty = require('node-pty');
const { spawn: spawn_ } = require('node:child_process');
const { Broker, EventStore } = require('@baton/event-store');
const { registry } = require('@baton/events');
const { startSessionsStack, attachTerminal, gitRepo, procStats, sleep, ROOT } = require('./lib/sessions-stack');
const { percentile, round } = require('./lib/measure');

const CLI = path.join(ROOT, 'apps/cli/dist/main.js');
const FINAL = new Set(['completed', 'failed', 'stopped', 'succeeded', 'exited']);
const END_MARK = '__BENCH_END__';
const LINE = 'the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz';
// Waits for a line, prints $BYTES of text lines, a mark, then waits again (so its terminal stays).
const PRINTER = `IFS= read -r go; yes "$LINE" | head -c "$BYTES"; printf '\\n${END_MARK}\\n'; IFS= read -r done`;
const ECHO = "stty raw -echo; echo __ECHO_READY__; exec cat";
const MB = 1024 * 1024;

const now = () => performance.now();

async function run(ctx) {
  const stack = await startSessionsStack(ctx, { capacity: 100 });
  const { api } = stack;
  const project = await api.post('/api/projects', { name: 'bench sessions', repository: { location: gitRepo(ctx), defaultBranch: 'main' } });
  const projectId = project.id;
  ctx.log(`stack up: namespace ${stack.namespace}, runner pid ${stack.runner.pid}`);

  try {
    // The quiet measurements first, each on an idle stack; the 100-agent burst last (what it
    // leaves behind — lagging read models, slow queries — would weigh on everything after it).
    if (ctx.wants('spawn')) await spawnOneAtATime(ctx, stack, projectId);
    if (ctx.wants('terminal')) await terminalThroughput(ctx, stack, projectId);
    if (ctx.wants('keystroke')) await keystrokeRoundTrip(ctx, stack, projectId);
    if (ctx.wants('sessions.100') || ctx.wants('spawn')) await hundredAgents(ctx, stack, projectId);
    // The same 100 agents while a CPU hog keeps every core busy (issue #13): last, beside the quiet figures above.
    if (ctx.wants('saturated')) await saturatedAgents(ctx, stack, projectId);
  } catch (e) {
    ctx.log(`failed; what the services said last:\n${stack.logs()}`);
    throw e;
  }
  ctx.report({ name: 'api.server_errors', value: api.serverErrors.length, unit: 'answers', target: 'value==0', ok: api.serverErrors.length === 0 });
  if (api.serverErrors.length) ctx.log(`5xx answers during the run:\n  ${api.serverErrors.join('\n  ')}\nwhat the services said last:\n${stack.logs()}`);
}

// ---------------------------------------------------------------------------------------------
// helpers

async function defineCommand(api, projectId, name, script, env = {}) {
  const r = await api.post('/api/session-templates', { projectId, spec: { name, kind: 'command', argv: ['sh', '-c', script], env } }, { minSeq: api.lastSeq });
  return { id: r.id, seq: r.seq };
}

/** The gateway checks the template and tasks in read models: `minSeq` (default: this client's last write) lets it see them. */
async function spawn(api, projectId, body, minSeq = api.lastSeq) {
  return (await api.post(`/api/projects/${projectId}/sessions`, body, { minSeq })).id;
}

/** Polls the project's sessions until every id passes `test`; fails on one that ended otherwise. */
async function waitAll(ctx, stack, projectId, ids, test, timeoutMs, what) {
  const { api } = stack;
  const want = new Set(ids);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let page;
    try {
      page = await api.get('/api/sessions', { projectId, limit: 1000 });
    } catch (e) {
      // A read that failed under load is tried again (and reported at the end); anything else is fatal.
      if (!(e.status >= 500) || Date.now() > deadline) throw e;
      await sleep(500);
      continue;
    }
    const mine = page.items.filter((s) => want.has(s.id));
    const bad = mine.find((s) => FINAL.has(s.status) && !test(s));
    if (bad) throw new Error(`session ${bad.id} ended ${bad.status} (${bad.endedReason}) while waiting for ${what}`);
    if (mine.length === want.size && mine.every(test)) return mine;
    if (Date.now() > deadline) {
      const waiting = await api.get('/api/pending-sessions', { projectId }).catch((e) => ({ error: e.message }));
      const why = (waiting.items || []).map((x) => `${x.id} #${x.position}: ${JSON.stringify(x.waiting)}`);
      const runners = await api.get('/api/runners').catch((e) => e.message);
      const leaderLines = stack.services.sessions
        .output()
        .split('\n')
        .filter((l) => /leader|deposed|elected|standing down|tick failed/i.test(l))
        .slice(-20);
      ctx.log(`sessions service on leadership:\n${leaderLines.join('\n')}`);
      ctx.log(`diagnostics:\n${await stallDiagnostics(ctx, stack).catch((e) => `(failed: ${e.message})`)}`);
      ctx.log(`pending (scheduler last planned at ${waiting.scheduledAt}, now ${new Date().toISOString()}): ${why.join('; ') || JSON.stringify(waiting).slice(0, 500)}; runners: ${JSON.stringify(runners)}`);
      const counts = {};
      for (const s of mine) counts[s.status] = (counts[s.status] || 0) + 1;
      throw new Error(`${what}: not within ${timeoutMs} ms (${JSON.stringify(counts)})`);
    }
    await sleep(200);
  }
}

/**
 * Per session, from its own events in the log: requested → spawned (ms), split into
 * requested → placed (the scheduler) and placed → spawned (the runner starting it).
 */
async function spawnLatencies(ctx, namespace, ids) {
  const broker = await Broker.connect({ servers: ctx.natsUrl, namespace, name: 'bench-sessions-log' });
  try {
    const store = new EventStore(broker, registry);
    const want = new Set(ids);
    const at = { requested: new Map(), placed: new Map(), spawned: new Map() };
    for await (const e of store.read({ subject: broker.names.evtAggregate('session') })) {
      if (!want.has(e.aggregate.id)) continue;
      const kind = e.type.slice('session.'.length);
      if (at[kind] && !at[kind].has(e.aggregate.id)) at[kind].set(e.aggregate.id, Date.parse(e.occurredAt));
    }
    const whole = [];
    const place = [];
    const start = [];
    for (const id of ids) {
      if (!at.requested.has(id) || !at.spawned.has(id)) continue;
      whole.push(at.spawned.get(id) - at.requested.get(id));
      if (at.placed.has(id)) {
        place.push(at.placed.get(id) - at.requested.get(id));
        start.push(at.spawned.get(id) - at.placed.get(id));
      }
    }
    return Object.assign(whole, { place, start, requestedAt: at.requested, placedAt: at.placed, spawnedAt: at.spawned });
  } finally {
    await broker.close();
  }
}

/** What is in flight when something stalls: consumers on the runners' KV bucket, and the database's busy connections. */
async function stallDiagnostics(ctx, stack) {
  const out = [];
  const broker = await Broker.connect({ servers: ctx.natsUrl, namespace: stack.namespace, name: 'bench-diagnostics' });
  try {
    // Consumers older than 10 s on the runners' bucket (a KV listing lives for milliseconds) and on the log.
    for (const stream of [`KV_${broker.names.kv.runners}`, broker.names.streams.events]) {
      let young = 0;
      for await (const c of broker.jsm.consumers.list(stream)) {
        if (Date.now() - Date.parse(c.created) < 10_000) {
          young++;
          continue;
        }
        out.push(`consumer ${stream}/${c.name}: pending ${c.num_pending}, ack pending ${c.num_ack_pending}, waiting ${c.num_waiting}, delivered ${c.delivered.stream_seq}, created ${c.created}, filter ${c.config.filter_subject || (c.config.filter_subjects || []).join(',')}`);
      }
      out.push(`(${young} consumers on ${stream} younger than 10 s)`);
    }
  } finally {
    await broker.close();
  }
  const { Client } = require('pg');
  const pg = new Client({ connectionString: ctx.databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query(
      "SELECT pid, state, wait_event_type, wait_event, now() - query_start AS running, left(query, 160) AS query FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' ORDER BY query_start",
      [stack.namespace],
    );
    for (const r of rows) out.push(`pg ${r.pid} ${r.state} ${r.wait_event_type || ''}/${r.wait_event || ''} ${JSON.stringify(r.running)}: ${r.query}`);
    const idle = await pg.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle'", [stack.namespace]);
    out.push(`pg idle connections: ${idle.rows[0].n}`);
  } finally {
    await pg.end();
  }
  return out.join('\n');
}

/** A few sessions' lives from the log, as offsets from their request: what happened when. */
async function sessionStories(ctx, namespace, ids) {
  const broker = await Broker.connect({ servers: ctx.natsUrl, namespace, name: 'bench-sessions-story' });
  try {
    const store = new EventStore(broker, registry);
    const out = [];
    for (const id of ids) {
      const { events } = await store.load({ type: 'session', id });
      const t0 = Date.parse(events[0].occurredAt);
      const steps = events
        .filter((e) => ['session.requested', 'session.placed', 'session.spawned', 'session.ready', 'session.status_changed', 'session.ended', 'session.process_exited'].includes(e.type))
        .map((e) => `+${Date.parse(e.occurredAt) - t0}ms ${e.type.slice(8)}${e.type === 'session.status_changed' ? ` ${e.data.to}` : ''}${e.type === 'session.ended' ? ` ${e.data.status} (${e.data.reason})` : ''}`);
      out.push(`session ${id}: ${steps.join(' → ')}`);
    }
    return out;
  } finally {
    await broker.close();
  }
}

/** node-pty alone: spawn → first output byte, ms. */
async function rawSpawnLatency(samples) {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    await new Promise((resolve) => {
      const p = pty.spawn('sh', ['-c', 'echo ready'], { cols: 80, rows: 24, cwd: ROOT, env: process.env });
      let first = true;
      p.onData(() => {
        if (first) out.push(now() - t0);
        first = false;
      });
      p.onExit(() => resolve());
    });
  }
  return out;
}

/** node-pty alone: `n` processes at once, each `argv`, until all exit; ms. */
async function rawConcurrentRuns(n, file, args) {
  const t0 = now();
  await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve) => {
      const p = pty.spawn(file, args, { cols: 80, rows: 24, cwd: ROOT, env: process.env });
      p.onData(() => undefined);
      p.onExit(() => resolve());
    })),
  );
  return now() - t0;
}

function pctFigures(ctx, name, samples, raw, target) {
  for (const p of [50, 99]) {
    const value = round(percentile(samples, p), 1);
    const rawValue = raw ? round(percentile(raw, p), 2) : undefined;
    const fig = { name: `${name}.p${p}`, value, unit: 'ms' };
    if (rawValue !== undefined) Object.assign(fig, { raw: rawValue, ratio: round(value / rawValue, 2) });
    if (p === 50 && target !== undefined) Object.assign(fig, { target: `value<=${target}`, ok: value <= target });
    ctx.report(fig);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. 100 concurrent demo agents on one runner

async function hundredAgents(ctx, stack, projectId) {
  const { api } = stack;
  const n = ctx.size(100, 5);
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push((await api.post(`/api/projects/${projectId}/tasks`, { title: `Bench job ${i + 1} [fast]` })).id);

  await sleep(1_000);
  const idle = procStats(stack.runner.pid);
  let peakRss = idle.rssMb;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, procStats(stack.runner.pid).rssMb);
    } catch {
      // the runner is gone: the wait below says why
    }
  }, 100);

  ctx.log(`${n} demo agents at once…`);
  const t0 = now();
  let ids;
  let ended;
  try {
    ids = await Promise.all(tasks.map((taskId) => spawn(api, projectId, { templateId: 'baton-demo-agent', taskIds: [taskId] })));
    // A generous wait: runners admit starts at their machine's pace (decision 0026), so a loaded machine is slower, not failing.
    ended = await waitAll(ctx, stack, projectId, ids, (s) => FINAL.has(s.status), 600_000, `${n} sessions to end`);
  } finally {
    clearInterval(sampler);
  }
  const wallMs = now() - t0;
  const after = procStats(stack.runner.pid);
  const completed = ended.filter((s) => s.status === 'completed').length;
  ctx.log(`${completed}/${n} completed in ${(wallMs / 1000).toFixed(1)} s; runner RSS ${idle.rssMb.toFixed(0)} → peak ${peakRss.toFixed(0)} MB`);
  if (completed < n) {
    const why = {};
    for (const s of ended.filter((x) => x.status !== 'completed')) {
      const k = `${s.status}: ${s.endedReason} (restarts ${s.restarts})`;
      why[k] = (why[k] || 0) + 1;
    }
    ctx.log(`not completed: ${JSON.stringify(why, null, 1)}`);
    const failed = ended.filter((x) => x.status !== 'completed').map((x) => x.id);
    for (const line of await sessionStories(ctx, stack.namespace, failed.slice(0, 5))) ctx.log(line);
  }

  const rawWallMs = await rawConcurrentRuns(n, process.execPath, [CLI, '--version']);
  const cpuSec = after.cpuSec - idle.cpuSec;
  const childCpuSec = after.childrenCpuSec - idle.childrenCpuSec;
  if (ctx.wants('sessions.100')) {
    ctx.report({ name: `sessions.${n}.completed`, value: completed, unit: 'sessions', target: `value==${n}`, ok: completed === n });
    ctx.report({ name: `sessions.${n}.wall`, value: round(wallMs / 1000, 2), unit: 's', raw: round(rawWallMs / 1000, 2), ratio: round(wallMs / rawWallMs, 2) });
    ctx.report({ name: 'runner.rss.peak', value: round(peakRss, 1), unit: 'MB', raw: round(idle.rssMb, 1), ratio: round(peakRss / idle.rssMb, 2) });
    ctx.report({ name: 'runner.rss.per_session', value: round((peakRss - idle.rssMb) / n, 2), unit: 'MB' });
    ctx.report({ name: 'runner.cpu', value: round(cpuSec, 2), unit: 'cpu-s' });
    ctx.report({ name: 'runner.cpu.share', value: round((100 * cpuSec) / (wallMs / 1000), 1), unit: '%core' });
    ctx.report({ name: 'runner.cpu.per_session', value: round((1000 * cpuSec) / n, 1), unit: 'cpu-ms' });
    ctx.report({ name: 'agents.cpu', value: round(childCpuSec, 2), unit: 'cpu-s' });
  }
  if (ctx.wants('spawn')) {
    const lat = await spawnLatencies(ctx, stack.namespace, ids);
    ctx.log(`spawn latency of ${lat.length} sessions requested at once: p50 ${percentile(lat, 50)} ms, max ${Math.max(...lat)} ms`);
    pctFigures(ctx, `spawn.latency.burst${n}`, lat, await rawSpawnLatency(20), 500);
    // Where the time goes: waiting for a placement, then the runner starting the process.
    pctFigures(ctx, `spawn.latency.burst${n}.placing`, lat.place);
    pctFigures(ctx, `spawn.latency.burst${n}.starting`, lat.start);
    // …of which inside the runner (start received → PTY running, its own log); the rest is delivery of the start.
    const inRunner = ids.map((id) => stack.runnerStarts.get(id)).filter(Boolean);
    if (inRunner.length) {
      pctFigures(ctx, `spawn.latency.burst${n}.in_runner`, inRunner.map((x) => x.totalMs));
      pctFigures(ctx, `spawn.latency.burst${n}.in_runner.preparing`, inRunner.map((x) => x.prepareMs));
      // The runner's own clock for "PTY running" (its log line), against the events: how long
      // the start took to reach the runner, and how long the spawn took to be recorded after.
      const timed = ids.map((id) => ({ id, r: stack.runnerStarts.get(id) })).filter(({ id, r }) => r?.runningAt && lat.requestedAt.has(id) && lat.placedAt.has(id));
      if (timed.length) {
        pctFigures(ctx, `spawn.latency.burst${n}.to_pty`, timed.map(({ id, r }) => r.runningAt - lat.requestedAt.get(id)));
        pctFigures(ctx, `spawn.latency.burst${n}.delivery`, timed.map(({ id, r }) => r.runningAt - r.totalMs - lat.placedAt.get(id)));
        pctFigures(ctx, `spawn.latency.burst${n}.recording`, timed.filter(({ id }) => lat.spawnedAt.has(id)).map(({ id, r }) => lat.spawnedAt.get(id) - r.runningAt));
      }
      // Where preparing went, step by step (the runner's "session running" lines).
      const steps = [...new Set(inRunner.flatMap((x) => Object.keys(x.steps)))];
      ctx.log(`burst of ${n}, preparing p50 by step: ${steps.map((k) => `${k} ${percentile(inRunner.map((x) => x.steps[k] ?? 0), 50).toFixed(0)} ms`).join(', ')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1b. the same 100 agents on a saturated machine (docs/decisions/0026)

/**
 * One busy-looping process per core, at the runner's own priority, for the whole variant: the
 * fleet must slow down, never lose or kill an agent. Figures are labelled `saturated`; they are
 * measured under this hog and whatever else the machine runs.
 */
function startCpuHog(ctx) {
  const cores = require('node:os').availableParallelism();
  const hogs = Array.from({ length: cores }, () => spawn_(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = () => hogs.forEach((h) => h.exitCode === null && h.kill('SIGKILL'));
  ctx.defer(stop);
  return { cores, stop };
}

async function saturatedAgents(ctx, stack, projectId) {
  const { api } = stack;
  const n = ctx.size(100, 5);
  const errorsBefore = api.serverErrors.length;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push((await api.post(`/api/projects/${projectId}/tasks`, { title: `Saturated job ${i + 1} [fast]` })).id);
  const hog = startCpuHog(ctx);
  await sleep(2_000); // the hog has every core before the first request
  ctx.log(`${n} demo agents at once, under a CPU hog on all ${hog.cores} cores…`);
  const t0 = now();
  let ids;
  let ended;
  try {
    ids = await Promise.all(tasks.map((taskId) => spawn(api, projectId, { templateId: 'baton-demo-agent', taskIds: [taskId] })));
    // Slower, not failing: a generous wait (admission starts them a few at a time).
    ended = await waitAll(ctx, stack, projectId, ids, (s) => FINAL.has(s.status), 1_200_000, `${n} sessions to end under the hog`);
  } finally {
    hog.stop();
  }
  const wallMs = now() - t0;
  const completed = ended.filter((s) => s.status === 'completed').length;
  const lost = await sessionsEverLost(ctx, stack.namespace, ids);
  const errors = api.serverErrors.length - errorsBefore;
  ctx.log(`saturated: ${completed}/${n} completed in ${(wallMs / 1000).toFixed(1)} s; ${lost.length} ever lost; ${errors} server errors`);
  if (completed < n) {
    const why = {};
    for (const s of ended.filter((x) => x.status !== 'completed')) {
      const k = `${s.status}: ${s.endedReason} (restarts ${s.restarts})`;
      why[k] = (why[k] || 0) + 1;
    }
    ctx.log(`not completed under the hog: ${JSON.stringify(why, null, 1)}`);
  }
  ctx.report({ name: `sessions.saturated.${n}.completed`, value: completed, unit: 'sessions', target: `value==${n}`, ok: completed === n });
  ctx.report({ name: `sessions.saturated.${n}.lost`, value: lost.length, unit: 'sessions', target: 'value==0', ok: lost.length === 0 });
  ctx.report({ name: 'sessions.saturated.api.server_errors', value: errors, unit: 'answers', target: 'value==0', ok: errors === 0 });
  ctx.report({ name: `sessions.saturated.${n}.wall`, value: round(wallMs / 1000, 2), unit: 's' });
  const lat = await spawnLatencies(ctx, stack.namespace, ids);
  pctFigures(ctx, `spawn.latency.saturated.burst${n}`, lat);
  pctFigures(ctx, `spawn.latency.saturated.burst${n}.placing`, lat.place);
  pctFigures(ctx, `spawn.latency.saturated.burst${n}.starting`, lat.start);
}

/** Sessions that were ever `lost` (a status change to it in their own events). */
async function sessionsEverLost(ctx, namespace, ids) {
  const broker = await Broker.connect({ servers: ctx.natsUrl, namespace, name: 'bench-sessions-lost' });
  try {
    const store = new EventStore(broker, registry);
    const want = new Set(ids);
    const lost = new Set();
    for await (const e of store.read({ subject: broker.names.evtAggregate('session') })) {
      if (want.has(e.aggregate.id) && e.type === 'session.status_changed' && e.data.to === 'lost') lost.add(e.aggregate.id);
    }
    return [...lost];
  } finally {
    await broker.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. spawn latency, one session at a time

async function spawnOneAtATime(ctx, stack, projectId) {
  const { api } = stack;
  const n = ctx.size(20, 3);
  const t = await defineCommand(api, projectId, 'bench spawn', 'echo up; sleep 0.2');
  const ids = [];
  for (let i = 0; i < n; i++) {
    const id = await spawn(api, projectId, { templateId: t.id });
    ids.push(id);
    await waitAll(ctx, stack, projectId, [id], (s) => FINAL.has(s.status), 60_000, 'a spawn');
  }
  const lat = await spawnLatencies(ctx, stack.namespace, ids);
  pctFigures(ctx, 'spawn.latency', lat, await rawSpawnLatency(n), 500);
}

// ---------------------------------------------------------------------------------------------
// 3. terminal throughput: PTY → runner → JetStream → gateway → socket.io client

/** node-pty alone: `count` printers at once, each `bytes`; bytes seen and ms until every mark. */
async function rawPrinters(count, bytes) {
  const ps = Array.from({ length: count }, () => pty.spawn('sh', ['-c', PRINTER], { cols: 200, rows: 50, cwd: ROOT, env: { ...process.env, LINE, BYTES: String(bytes) } }));
  let total = 0;
  let t0 = 0;
  const done = ps.map(
    (p) =>
      new Promise((resolve) => {
        let tail = '';
        p.onData((d) => {
          total += Buffer.byteLength(d);
          tail = (tail + d).slice(-64);
          if (tail.includes(END_MARK)) resolve(now());
        });
      }),
  );
  await sleep(300); // the shells reach `read`
  t0 = now();
  for (const p of ps) p.write('\r');
  const ends = await Promise.all(done);
  for (const p of ps) p.kill();
  return { bytes: total, ms: Math.max(...ends) - t0 };
}

async function printers(ctx, stack, projectId, count, bytes) {
  const { api } = stack;
  const t = await defineCommand(api, projectId, `bench printer ${count}`, PRINTER, { LINE, BYTES: String(bytes) });
  const ids = await Promise.all(Array.from({ length: count }, () => spawn(api, projectId, { templateId: t.id })));
  await waitAll(ctx, stack, projectId, ids, (s) => s.status === 'working', 60_000, `${count} printers running`);
  const viewers = await Promise.all(ids.map((id) => attachTerminal(api.url, api.token, id)));
  await sleep(300);
  try {
    // The end is when the client sees the mark: in data, or in the screen of a resync (the
    // gateway skips output for a viewer it judges slow; those bytes are not counted).
    const done = viewers.map(
      (v) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`a printer's mark never arrived (${v.bytes} bytes, ${v.resyncs} resyncs seen)`)), 300_000);
          const end = () => {
            clearTimeout(timer);
            resolve(now());
          };
          v.onData = (buf) => {
            // Only the last bytes matter for the mark: no string of the whole chunk.
            v.tail = (v.tail + buf.subarray(-64).toString('latin1')).slice(-64);
            if (v.tail.includes(END_MARK)) end();
          };
          v.onResync = (snap) => {
            v.tail = '';
            if (snap.data.includes(END_MARK)) end();
          };
        }),
    );
    for (const v of viewers) {
      v.bytes = 0;
      v.resyncs = 0;
    }
    const cpu0 = { runner: procStats(stack.runner.pid).cpuSec, gateway: procStats(stack.gateway.pid).cpuSec };
    const t0 = now();
    for (const v of viewers) v.type('\r');
    const ends = await Promise.all(done);
    const ms = Math.max(...ends) - t0;
    // The runner parses its screens in a low-priority thread that may lag the viewers (by at
    // most its backlog bound): how long after the last mark every screen held the last chunk.
    const screenLagMs = await screensCaughtUp(stack, ids, viewers, t0 + ms);
    const cpu = { runner: procStats(stack.runner.pid).cpuSec - cpu0.runner, gateway: procStats(stack.gateway.pid).cpuSec - cpu0.gateway };
    ctx.log(`${count} printer(s): runner ${cpu.runner.toFixed(2)} cpu-s, gateway ${cpu.gateway.toFixed(2)} cpu-s in ${(ms / 1000).toFixed(2)} s; screens caught up ${screenLagMs.toFixed(0)} ms after`);
    return { bytes: viewers.reduce((s, v) => s + v.bytes, 0), ms, cpu, screenLagMs, resyncs: viewers.reduce((s, v) => s + v.resyncs, 0) };
  } finally {
    for (const v of viewers) v.close();
    await Promise.all(ids.map((id) => api.post(`/api/sessions/${id}/stop`, { reason: 'bench done' }).catch(() => undefined)));
  }
}

/** Ms after `since` until the runner's screen of every session contained the last chunk its viewer got. */
async function screensCaughtUp(stack, ids, viewers, since) {
  const deadline = now() + 60_000;
  await Promise.all(
    ids.map(async (id, i) => {
      for (;;) {
        // The runner answers once its screen thread has parsed everything queued before the request.
        const res = await fetch(`${stack.runner.url}/sessions/${id}/screen`, { headers: { 'x-baton-runner-secret': stack.runnerSecret } });
        const screen = await res.json();
        if (!res.ok) throw new Error(`runner screen of ${id}: ${res.status} ${JSON.stringify(screen)}`);
        if (screen.chunk >= viewers[i].lastChunk) return;
        if (now() > deadline) throw new Error(`the runner's screen of ${id} stayed at chunk ${screen.chunk} < ${viewers[i].lastChunk}`);
        await sleep(10);
      }
    }),
  );
  return Math.max(0, now() - since);
}

async function terminalThroughput(ctx, stack, projectId) {
  const one = ctx.size(32 * MB, MB);
  const each = ctx.size(4 * MB, 256 * 1024);
  for (const [count, bytes] of [
    [1, one],
    [20, each],
  ]) {
    const raw = await rawPrinters(count, bytes);
    const viaBaton = await printers(ctx, stack, projectId, count, bytes);
    const value = viaBaton.bytes / MB / (viaBaton.ms / 1000);
    const rawValue = raw.bytes / MB / (raw.ms / 1000);
    ctx.log(
      `${count} terminal(s): ${(viaBaton.bytes / MB).toFixed(1)} of ${(raw.bytes / MB).toFixed(1)} MB delivered as data in ${viaBaton.ms.toFixed(0)} ms through Baton (${viaBaton.resyncs} slow-consumer resyncs); node-pty alone ${raw.ms.toFixed(0)} ms`,
    );
    const ratio = round(value / rawValue, 3);
    ctx.report({ name: `terminal.throughput.${count}`, value: round(value, 1), unit: 'MB/s', raw: round(rawValue, 1), ratio, target: 'ratio>=0.25', ok: ratio >= 0.25 });
    ctx.report({ name: `terminal.resyncs.${count}`, value: viaBaton.resyncs, unit: 'resyncs' });
    ctx.report({ name: `terminal.screen_lag.${count}`, value: round(viaBaton.screenLagMs, 0), unit: 'ms' });
  }
  // What the runner holds once the printers are gone (its screen thread ends 10 s after its last screen).
  await sleep(ctx.size(15_000, 2_000));
  ctx.report({ name: 'terminal.runner_rss_after', value: round(procStats(stack.runner.pid).rssMb, 1), unit: 'MB' });
}

// ---------------------------------------------------------------------------------------------
// 4. keystroke round trip: socket.io terminal:input → PTY (cat echoes) → terminal:data

async function roundTrips(samples, send, subscribe) {
  let seen = '';
  let waiter = null;
  subscribe((text) => {
    seen = (seen + text).slice(-4096);
    if (waiter && seen.includes(waiter.token)) {
      const w = waiter;
      waiter = null;
      w.resolve(now());
    }
  });
  const once = (token, timeoutMs = 5_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`echo of ${token} never came`)), timeoutMs);
      waiter = {
        token,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      seen = '';
      send(token);
    });
  // Warm up until the echo program answers.
  for (let i = 0; ; i++) {
    try {
      await once(`w${i}|`, 1_000);
      break;
    } catch (e) {
      if (i > 20) throw e;
    }
  }
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    out.push((await once(`k${i}|`)) - t0);
  }
  return out;
}

async function keystrokeRoundTrip(ctx, stack, projectId) {
  const { api } = stack;
  const samples = ctx.size(300, 20);

  const p = pty.spawn('sh', ['-c', ECHO], { cols: 80, rows: 24, cwd: ROOT, env: process.env });
  let raw;
  try {
    raw = await roundTrips(samples, (s) => p.write(s), (cb) => p.onData((d) => cb(d)));
  } finally {
    p.kill();
  }

  const t = await defineCommand(api, projectId, 'bench echo', ECHO);
  const id = await spawn(api, projectId, { templateId: t.id });
  await waitAll(ctx, stack, projectId, [id], (s) => s.status === 'working', 60_000, 'the echo program running');
  const viewer = await attachTerminal(api.url, api.token, id);
  let viaBaton;
  try {
    viaBaton = await roundTrips(samples, (s) => viewer.type(s), (cb) => (viewer.onData = (buf) => cb(buf.toString('utf8'))));
  } finally {
    viewer.close();
    await api.post(`/api/sessions/${id}/stop`, { reason: 'bench done' }).catch(() => undefined);
  }
  pctFigures(ctx, 'keystroke.rtt', viaBaton, raw, 15);
}

module.exports = { run };
