#!/usr/bin/env node
/*
 * Drives the REAL Codex CLI in a PTY against the fake Responses server, with a home from
 * codexAdapter.prepareHome, in a fresh repo + `git worktree add` worktree. Run from /work/main:
 *   node libs/agents/src/codex/__tests__/probe.mjs [--keep]
 * Env: CODEX_BIN (default: the pinned install), PROBE_ROOT (default /var/tmp; not /tmp: Codex
 * refuses its helper aliases under the temp dir). It compiles the TS it needs into the run dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const REPO = process.cwd();
const CODEX_BIN = process.env.CODEX_BIN ?? '/root/.cache/baton-agent-clis/_openai_codex_0.171.0/node_modules/.bin/codex';
const root = mkdtempSync(join(process.env.PROBE_ROOT ?? '/var/tmp', 'baton-codex-probe-'));
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const t0 = Date.now();
const results = [];
const check = (name, ok, evidence) => {
  results.push({ name, ok, evidence });
  log(ok ? 'PASS' : 'FAIL', name, '—', evidence);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- compile the TS pieces (fake model + adapter) into the run dir -------------------------
const out = join(root, 'dist');
// Type errors are the spec's business (jest/tsc -b); here only the emitted JS matters (--noCheck).
execFileSync('npx', ['tsc', '--noCheck', '--outDir', out, '--rootDir', 'libs', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node',
  'libs/testing/src/fake-model/openai-responses.ts', 'libs/agents/src/codex/codex.adapter.ts'], { cwd: REPO, stdio: 'inherit' });
const { startFakeModelServer } = require(join(out, 'testing/src/fake-model/server.js'));
const { openaiResponsesHandler } = require(join(out, 'testing/src/fake-model/openai-responses.js'));
const { codexAdapter } = require(join(out, 'agents/src/codex/codex.adapter.js'));
const pty = require(join(REPO, 'node_modules/node-pty'));
const { Terminal } = require(join(REPO, 'node_modules/@xterm/headless'));

// --- repo + worktree ------------------------------------------------------------------------
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'setup', GIT_AUTHOR_EMAIL: 's@x', GIT_COMMITTER_NAME: 'setup', GIT_COMMITTER_EMAIL: 's@x' } }).trim();
const repo = join(root, 'repo');
mkdirSync(repo);
git(repo, 'init', '-q', '-b', 'main');
writeFileSync(join(repo, 'README.md'), '# probe\n');
git(repo, 'add', '.');
git(repo, 'commit', '-q', '-m', 'init');
const worktree = join(root, 'wt');
git(repo, 'worktree', 'add', '-q', '-b', 'task', worktree);
const gitWritableDirs = [git(worktree, 'rev-parse', '--absolute-git-dir'), join(repo, '.git')];

// --- stand-in for `baton hook`: append {event, payload} lines -------------------------------
const hookLog = join(root, 'hooks.jsonl');
const hookScript = join(root, 'baton-hook.cjs');
writeFileSync(hookScript, `const fs=require('fs');let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{let p=null;try{p=JSON.parse(s)}catch{p=s}
fs.appendFileSync(${JSON.stringify(hookLog)},JSON.stringify({argv:process.argv.slice(2),event:process.argv[4],payload:p,at:Date.now()})+'\\n')});`);
const hooks = () => (existsSync(hookLog) ? readFileSync(hookLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

// --- fake model -----------------------------------------------------------------------------
const script = {
  fallback: 'OK',
  turns: [
    { match: 'PROBE-COMMIT', usage: { input: 1000, output: 50 }, steps: [
      { kind: 'write', path: 'hello.txt', content: 'hello from codex\n' },
      { kind: 'shell', command: 'git add hello.txt && git commit -q -m "probe commit" && git log -1 --format="%an <%ae>"' },
    ], reply: 'Committed hello.txt.' },
    // Outlives its tool call: unified exec yields after ~10 s and keeps the process as a background terminal.
    { match: 'PROBE-SLEEP', steps: [{ kind: 'shell', command: 'sleep 313' }], reply: 'Left it sleeping.' },
    { match: 'PROBE-QUESTION', steps: [], reply: 'Which file should I edit next?' },
    // Outside the writable roots: the sandbox refuses it, so in `ask` mode Codex asks to run it unsandboxed.
    { match: 'PROBE-ASK', steps: [{ kind: 'shell', command: `touch ${join(root, 'asked.txt')}` }], reply: 'Created asked.txt after approval.' },
  ],
};
/*
 * Codex 0.171 `on-request` asks only when the model itself asks to leave the sandbox
 * (`sandbox_permissions: "require_escalated"` on exec_command); a sandbox denial is simply
 * returned to the model. So the probe's model escalates the PROBE-ASK command, as a real model would.
 */
const escalating = {
  ...openaiResponsesHandler,
  respond(req, decision, res) {
    if (decision.kind === 'tool' && decision.name === 'exec_command' && String(decision.input.cmd).includes('asked.txt')) {
      decision = { ...decision, input: { ...decision.input, sandbox_permissions: 'require_escalated', justification: 'Create a file outside the workspace' } };
    }
    openaiResponsesHandler.respond(req, decision, res);
  },
};
const server = await startFakeModelServer([escalating], script);
log('fake model at', server.url, 'run dir', root);

// --- session runner -------------------------------------------------------------------------
const home = join(root, 'home');
let state = new Map(); // per session, as `baton hook` keeps it
const ctx = { readFile: (p) => { try { return readFileSync(p, 'utf8'); } catch { return null; } }, state: { get: (k) => state.get(k), set: (k, v) => state.set(k, v) } };
const signals = [];
let seenHooks = 0;
function drainSignals() {
  const all = hooks();
  for (const h of all.slice(seenHooks)) {
    const s = codexAdapter.translateSignal(h.event, h.payload, ctx);
    signals.push(...s.map((x) => ({ ...x, event: h.event })));
    log('hook', h.event, '→', s.map((x) => x.kind + (x.status ? `:${x.status}` : '') + (x.reason ? `:${x.reason}` : '')).join(', '));
  }
  seenHooks = all.length;
}

function startSession({ permissionMode, resumeId, prompt, model = 'fake-model' }) {
  state = new Map();
  const env0 = { PATH: process.env.PATH, TERM: 'xterm-256color', LANG: 'C.UTF-8', OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: `${server.url}/v1`, BATON_AGENT_HOME: home };
  const prep = codexAdapter.prepareHome({ home, worktree, gitWritableDirs, env: env0, permissionMode, batonCommand: `"${process.execPath}" "${hookScript}"`, gitAuthor: { name: 'Baton Agent', email: 'agent@baton.test' } });
  for (const f of prep.files) {
    mkdirSync(dirname(join(home, f.path)), { recursive: true });
    writeFileSync(join(home, f.path), f.content);
    if (f.mode) chmodSync(join(home, f.path), f.mode);
  }
  const promptFile = join(root, 'prompt.txt');
  if (prompt) writeFileSync(promptFile, prompt);
  const l = codexAdapter.launch({ program: CODEX_BIN, permissionMode, resumeId, hasPrompt: !!prompt, model });
  const argv = l.argv;
  const env = { ...env0, BATON_AGENT_PROGRAM: CODEX_BIN, ...l.env, ...prep.env, BATON_PROMPT_FILE: promptFile };
  log('spawn', JSON.stringify(argv).slice(0, 400));
  const term = new Terminal({ cols: 140, rows: 40, allowProposedApi: true });
  const p = pty.spawn(argv[0], argv.slice(1), { name: 'xterm-256color', cols: 140, rows: 40, cwd: worktree, env });
  let raw = '';
  p.onData((d) => { raw += d; term.write(d); });
  term.onData((d) => p.write(d)); // terminal replies (cursor position, device attributes)
  let exited = null;
  p.onExit((e) => { exited = e; });
  const screen = () => { const b = term.buffer.active; const lines = []; for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? ''); return lines.join('\n').replace(/\n{3,}/g, '\n\n'); };
  return { p, screen, raw: () => raw, exited: () => exited };
}

async function waitFor(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { drainSignals(); const v = fn(); if (v) return v; await sleep(250); }
  log('TIMEOUT waiting for', what);
  return null;
}
const since = (n) => signals.slice(n);
async function type(s, text) {
  s.p.write(text);
  await sleep(codexAdapter.submit.enterDelayMs);
  s.p.write(codexAdapter.submit.enter);
}
function tree(pid) {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,pgid=,sid=,args='], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => { const [pid2, ppid, pgid, sid, ...a] = l.trim().split(/\s+/); return { pid: +pid2, ppid: +ppid, pgid: +pgid, sid: +sid, args: a.join(' ') }; });
  const out = []; const walk = (x) => { for (const c of ps.filter((q) => q.ppid === x)) { out.push(c); walk(c.pid); } };
  out.push(...ps.filter((q) => q.pid === pid)); walk(pid); return out;
}
function procsUsingHome() {
  const pids = [];
  for (const d of readdirSync('/proc')) { if (!/^\d+$/.test(d)) continue; try { if (readFileSync(`/proc/${d}/environ`, 'utf8').includes(`CODEX_HOME=${home}/.codex`)) pids.push(+d); } catch { /* gone */ } }
  return pids;
}
async function stop(s, label) {
  const pid = s.p.pid;
  const t = tree(pid);
  log(`${label} process tree:`, t.map((x) => `${x.pid}(pgid ${x.pgid}, sid ${x.sid}) ${x.args.slice(0, 140)}`).join(' | '));
  const escaped = t.filter((x) => x.pgid !== pid);
  // The runner's stop: the PTY's process group (PROBE_STOP_SIGNAL=SIGKILL: no grace for Codex to clean up).
  try { process.kill(-pid, process.env.PROBE_STOP_SIGNAL ?? 'SIGTERM'); } catch { /* gone */ }
  await sleep(1500);
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  await sleep(500);
  const left = procsUsingHome();
  check(`${label}: stop kills the whole tree (no process with this CODEX_HOME left)`, left.length === 0, `tree=${t.length} outside pgid=${escaped.length}; left=${JSON.stringify(left)}`);
  return left;
}

// === Session 1: auto mode, first prompt, commit, follow-up question =============================
const s1 = startSession({ permissionMode: 'auto', resumeId: null, prompt: 'PROBE-COMMIT: write hello.txt and commit it' });
await waitFor('register', () => signals.find((x) => x.kind === 'register'), 30000);
check('register + conversation id at start', !!signals.find((x) => x.kind === 'register') && !!signals.find((x) => x.kind === 'conversation'), JSON.stringify(signals.filter((x) => x.kind === 'conversation').slice(0, 1)));
const idle1 = await waitFor('idle after turn 1', () => signals.find((x) => x.kind === 'status' && x.status === 'idle'), 90000);
check('working while it works (prompt + tools)', signals.filter((x) => x.kind === 'status' && x.status === 'working').length >= 2, signals.filter((x) => x.status === 'working').map((x) => x.message).join(' / '));
check('idle after the turn', !!idle1, idle1?.message);
const log1 = spawnSync('git', ['log', '-1', '--format=%an <%ae>|%s', 'task'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
check('git commit in the sandboxed worktree with author from env', log1 === 'Baton Agent <agent@baton.test>|probe commit', log1);
const usage1 = signals.filter((x) => x.kind === 'usage');
check('usage > 0 reported', usage1.some((u) => u.inputTokens + u.outputTokens > 0), JSON.stringify(usage1));
const convId = signals.find((x) => x.kind === 'conversation')?.id;
check('no blocking dialog on screen', !codexAdapter.blockingDialog.test(s1.screen()), s1.screen().split('\n').filter((l) => l.trim()).slice(-6).join(' ⏎ '));

// follow-up typed into the TUI → question
const n1 = signals.length;
await sleep(1000);
await type(s1, 'PROBE-QUESTION: what next');
const q = await waitFor('question', () => since(n1).find((x) => x.kind === 'needs_input' && x.reason === 'question') || since(n1).find((x) => x.kind === 'status' && x.status === 'idle'), 60000);
check('follow-up typed into the TUI is submitted (working after it)', since(n1).some((x) => x.kind === 'status' && x.status === 'working'), since(n1).map((x) => x.kind + ':' + (x.status ?? x.reason ?? '')).join(','));
check('question at end of turn → needs_input(question)', q?.kind === 'needs_input' && q.reason === 'question', q?.message);
const n2 = signals.length;
await sleep(Number(process.env.PROBE_IDLE_WAIT_MS ?? 15000));
check('no needs_input while idle afterwards (no idle reminder)', !since(n2).some((x) => x.kind === 'needs_input'), `${since(n2).length} signals in the wait`);
writeFileSync(join(root, 'screen-s1.txt'), s1.screen());
await stop(s1, 'session 1');

// === Session 2: ask mode, resume by id, permission prompt =======================================
const reqsBefore = server.requests.length;
const n3 = signals.length;
const s2 = startSession({ permissionMode: 'ask', resumeId: convId, prompt: 'PROBE-ASK: create asked.txt' });
const perm = await waitFor('permission', () => since(n3).find((x) => x.kind === 'needs_input' && x.reason === 'permission'), 90000);
check('permission prompt in ask mode → needs_input with tool + command', !!perm?.permission?.detail, JSON.stringify(perm?.permission));
const resumed = server.requests.slice(reqsBefore).find((r) => r.view && r.view.userTexts.some((t) => t.includes('PROBE-ASK')));
check('resume: the new process sent the earlier messages', !!resumed && resumed.view.userTexts.some((t) => t.includes('PROBE-COMMIT')), JSON.stringify(resumed?.view?.userTexts));
check('resume: same conversation id', since(n3).find((x) => x.kind === 'conversation')?.id === convId, `${convId} vs ${since(n3).find((x) => x.kind === 'conversation')?.id}`);
await sleep(1500);
writeFileSync(join(root, 'screen-perm.txt'), s2.screen());
log('approval screen:', s2.screen().split('\n').filter((l) => l.trim()).slice(-10).join(' ⏎ '));
s2.p.write(codexAdapter.permissionKeys.approve);
const after = await waitFor('idle after approval', () => since(n3).find((x) => x.kind === 'status' && x.status === 'idle'), 60000);
const afterPerm = since(n3).slice(since(n3).indexOf(perm) + 1);
check('answered → input_answered then working again', afterPerm.some((x) => x.kind === 'input_answered') && afterPerm.some((x) => x.kind === 'status' && x.status === 'working'), afterPerm.map((x) => x.kind + ':' + (x.status ?? '')).join(','));
check('approved command ran', existsSync(join(root, 'asked.txt')) && !!after, `asked.txt exists: ${existsSync(join(root, 'asked.txt'))}`);
const usage2 = since(n3).filter((x) => x.kind === 'usage');
const turn3 = server.requests.slice(reqsBefore).filter((r) => r.view?.userTexts.at(-1)?.includes('PROBE-ASK'));
check('resumed session reports only its own usage (no double count)', usage2.reduce((a, u) => a + u.inputTokens, 0) === turn3.reduce((a, r) => a + r.decision.usage.input, 0), `usage=${JSON.stringify(usage2.map((u) => [u.inputTokens, u.outputTokens]))} requests=${turn3.length}`);

// a command still running when the session stops (the sandboxed shell, a background terminal)
const n4 = signals.length;
await type(s2, 'PROBE-SLEEP: start a long command');
await waitFor('idle after sleep turn', () => since(n4).find((x) => x.kind === 'status' && x.status === 'idle'), 60000);
const sleepers = () => spawnSync('pgrep', ['-f', '^sleep 313'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
const before = sleepers();
log('sleep 313 processes before stop:', before.map((pid) => { const t = tree(pid)[0]; return `${pid}(pgid ${t?.pgid}, sid ${t?.sid})`; }).join(' '));
writeFileSync(join(root, 'screen-s2.txt'), s2.screen());
await stop(s2, 'session 2');
const after2 = sleepers();
check('a command the agent left running dies with the session', before.length > 0 && after2.length === 0, `before=${JSON.stringify(before)} after=${JSON.stringify(after2)}`);
for (const pid of after2) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }

// --- report ---------------------------------------------------------------------------------
appendFileSync(join(root, 'requests.json'), JSON.stringify(server.requests.map((r) => ({ path: r.path, view: r.view, decision: r.decision })), null, 1));
await server.close();
const failed = results.filter((r) => !r.ok);
log(`${results.length - failed.length}/${results.length} checks passed; artifacts in ${root} (hooks.jsonl, requests.json, screen-*.txt)`);
process.exit(failed.length ? 1 : 0);
