#!/usr/bin/env node
/*
 * Drives the REAL OpenCode TUI in a PTY against the fake Chat Completions server, with a home
 * from opencodeAdapter.prepareHome, in a fresh repo + `git worktree add` worktree. Run from
 * /work/main:   node libs/agents/src/opencode/__tests__/probe.mjs
 * Env: OPENCODE_BIN (default: the pinned install), PROBE_ROOT (default /var/tmp),
 * PROBE_IDLE_WAIT_MS (default 20000). It compiles the TS it needs into the run dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const REPO = process.cwd();
const OPENCODE_BIN = process.env.OPENCODE_BIN ?? '/root/.cache/baton-agent-clis/opencode-ai_1.18.33/node_modules/.bin/opencode';
const root = mkdtempSync(join(process.env.PROBE_ROOT ?? '/var/tmp', 'baton-opencode-probe-'));
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const results = [];
const check = (name, ok, evidence) => {
  results.push({ name, ok, evidence });
  log(ok ? 'PASS' : 'FAIL', name, '—', evidence);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- compile the TS pieces (fake model + adapter) into the run dir -------------------------
const out = join(root, 'dist');
execFileSync('npx', ['tsc', '--outDir', out, '--rootDir', 'libs', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node',
  'libs/testing/src/fake-model/openai-chat.ts', 'libs/agents/src/opencode/opencode.adapter.ts'], { cwd: REPO, stdio: 'inherit' });
const { startFakeModelServer } = require(join(out, 'testing/src/fake-model/server.js'));
const { openaiChatHandler } = require(join(out, 'testing/src/fake-model/openai-chat.js'));
const { opencodeAdapter: sut } = require(join(out, 'agents/src/opencode/opencode.adapter.js'));
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
      { kind: 'write', path: 'hello.txt', content: 'hello from opencode\n' },
      { kind: 'shell', command: 'git add hello.txt && git commit -q -m "probe commit" && git log -1 --format="%an <%ae>"' },
    ], reply: 'Committed hello.txt.' },
    { match: 'PROBE-QUESTION', steps: [], reply: 'Which file should I edit next?' },
    { match: 'PROBE-RESUME', steps: [
      { kind: 'shell', command: 'sleep 4 && echo slept' },
      { kind: 'shell', command: 'nohup sleep 1234 >/dev/null 2>&1 & echo started-bg' },
      { kind: 'write', path: 'auto.txt', content: 'auto\n' },
    ], reply: 'Resumed and done.' },
    { match: 'PROBE-DENY', steps: [{ kind: 'shell', command: 'touch denied.txt' }], reply: 'Understood, not touching it.' },
  ],
};
const server = await startFakeModelServer([openaiChatHandler], script);
log('fake model at', server.url, 'run dir', root);

// --- session runner -------------------------------------------------------------------------
const home = join(root, 'home');
const state = new Map();
const ctx = { readFile: (p) => { try { return readFileSync(p, 'utf8'); } catch { return null; } }, state: { get: (k) => state.get(k), set: (k, v) => state.set(k, v) } };
const signals = [];
let seenHooks = 0;
function drainSignals() {
  const all = hooks();
  for (const h of all.slice(seenHooks)) {
    const s = sut.translateSignal(h.event, h.payload, ctx);
    signals.push(...s.map((x) => ({ ...x, event: h.event })));
    log('hook', h.event, '→', s.map((x) => x.kind + (x.status ? `:${x.status}` : '') + (x.reason ? `:${x.reason}` : '')).join(', '));
  }
  seenHooks = all.length;
}

function startSession({ permissionMode, resumeId, prompt, model = 'fake-model' }) {
  state.clear(); // the hook's state is per Baton session
  const env0 = { PATH: process.env.PATH, TERM: 'xterm-256color', LANG: 'C.UTF-8', OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: `${server.url}/v1`, BATON_AGENT_HOME: home };
  const prep = sut.prepareHome({ home, worktree, gitWritableDirs, env: env0, permissionMode, batonCommand: `"${process.execPath}" "${hookScript}"`, gitAuthor: { name: 'Baton Agent', email: 'agent@baton.test' } });
  for (const f of prep.files) {
    mkdirSync(dirname(join(home, f.path)), { recursive: true });
    writeFileSync(join(home, f.path), f.content);
    if (f.mode) chmodSync(join(home, f.path), f.mode);
  }
  const promptFile = join(root, 'prompt.txt');
  if (prompt) writeFileSync(promptFile, prompt);
  const l = sut.launch({ program: OPENCODE_BIN, permissionMode, resumeId, hasPrompt: !!prompt, model });
  const argv = l.argv;
  const env = { ...env0, ...l.env, ...prep.env, BATON_PROMPT_FILE: promptFile, BATON_AGENT_PROGRAM: OPENCODE_BIN };
  log('spawn', JSON.stringify(argv).slice(0, 400));
  const term = new Terminal({ cols: 140, rows: 40, allowProposedApi: true });
  const p = pty.spawn(argv[0], argv.slice(1), { name: 'xterm-256color', cols: 140, rows: 40, cwd: worktree, env });
  p.onData((d) => term.write(d));
  term.onData((d) => p.write(d)); // terminal replies (cursor position, device attributes)
  let exited = null;
  p.onExit((e) => { exited = e; });
  const screen = () => { const b = term.buffer.active; const lines = []; for (let i = 0; i < term.rows; i++) lines.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? ''); return lines.join('\n').replace(/\n{3,}/g, '\n\n'); };
  return { p, screen, exited: () => exited };
}

async function waitFor(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { drainSignals(); const v = fn(); if (v) return v; await sleep(250); }
  log('TIMEOUT waiting for', what);
  return null;
}
const since = (n) => signals.slice(n);
const kinds = (xs) => xs.map((x) => x.kind + (x.status ? `:${x.status}` : '') + (x.reason ? `:${x.reason}` : '')).join(',');
async function type(s, text) {
  s.p.write(text);
  await sleep(sut.submit.enterDelayMs);
  s.p.write(sut.submit.enter);
}
function ps() {
  return spawnSync('ps', ['-eo', 'pid=,ppid=,pgid=,sid=,args='], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => { const [pid, ppid, pgid, sid, ...a] = l.trim().split(/\s+/); return { pid: +pid, ppid: +ppid, pgid: +pgid, sid: +sid, args: a.join(' ') }; });
}
function tree(pid) {
  const all = ps();
  const res = all.filter((q) => q.pid === pid);
  const walk = (x) => { for (const c of all.filter((q) => q.ppid === x)) { res.push(c); walk(c.pid); } };
  walk(pid);
  return res;
}
function procsUsingHome() {
  const pids = [];
  for (const d of readdirSync('/proc')) { if (!/^\d+$/.test(d)) continue; try { if (readFileSync(`/proc/${d}/environ`, 'utf8').includes(`XDG_CONFIG_HOME=${home}/.config`)) pids.push(+d); } catch { /* gone */ } }
  return pids;
}
const describe = (t) => t.map((x) => `${x.pid}(pgid ${x.pgid}, sid ${x.sid}) ${x.args.slice(0, 70)}`).join(' | ');
async function stop(s, label) {
  const pid = s.p.pid;
  const t = tree(pid);
  log(`${label} process tree:`, describe(t));
  try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
  await sleep(1500);
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  await sleep(500);
  // Tool processes are spawned detached (own session): sweep what still carries this home.
  const escaped = ps().filter((x) => procsUsingHome().includes(x.pid));
  if (escaped.length) log(`${label}: left after the process-group kill:`, describe(escaped));
  for (const x of escaped) try { process.kill(x.pid, 'SIGKILL'); } catch { /* gone */ }
  await sleep(300);
  const left = procsUsingHome();
  check(`${label}: process-group kill + sweep of processes with this home leaves nothing`, left.length === 0, `tree=${t.length}; escaped the group=${escaped.length}; left=${left.length}`);
  return escaped;
}
const screenTail = (s) => s.screen().split('\n').filter((l) => l.trim()).slice(-8).join(' ⏎ ');

// === Session 1: ask mode, first prompt, two permission prompts, commit, follow-up question ====
const s1 = startSession({ permissionMode: 'ask', resumeId: null, prompt: 'PROBE-COMMIT: write hello.txt and commit it' });
await waitFor('register', () => signals.find((x) => x.kind === 'register'), 30000);
check('register at start (plugin loaded)', !!signals.find((x) => x.kind === 'register'), kinds(signals));
for (const [i, what] of [[1, 'write'], [2, 'git commit']]) {
  const n = signals.length;
  const perm = await waitFor(`permission ${i}`, () => since(n).find((x) => x.kind === 'needs_input'), 90000);
  check(`ask mode: ${what} → needs_input(permission) with tool + detail`, perm?.reason === 'permission' && !!perm.permission?.detail, JSON.stringify(perm?.permission));
  await sleep(800);
  if (i === 1) { writeFileSync(join(root, 'screen-perm.txt'), s1.screen()); log('permission screen:', screenTail(s1)); }
  const m = signals.length;
  s1.p.write(sut.permissionKeys.approve);
  await waitFor(`answered ${i}`, () => since(m).find((x) => x.kind === 'status' && x.status === 'working'), 20000);
  check(`approve ${what} → input_answered then working`, since(m)[0]?.kind === 'input_answered' && since(m).some((x) => x.kind === 'status' && x.status === 'working'), kinds(since(m)));
}
const idle1 = await waitFor('idle after turn 1', () => signals.find((x) => x.kind === 'status' && x.status === 'idle'), 90000);
const convId = signals.find((x) => x.kind === 'conversation')?.id;
check('conversation id (session id) reported', !!convId && convId.startsWith('ses_'), convId);
check('working while it works (prompt + tools)', signals.filter((x) => x.kind === 'status' && x.status === 'working').length >= 2, signals.filter((x) => x.status === 'working').length + ' working signals');
check('idle after the turn', !!idle1, idle1?.message);
const log1 = spawnSync('git', ['log', '-1', '--format=%an <%ae>|%s', 'task'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
check('git commit in the worktree with author from env', log1 === 'Baton Agent <agent@baton.test>|probe commit', log1);
const usage1 = signals.filter((x) => x.kind === 'usage');
check('usage > 0 reported', usage1.some((u) => u.inputTokens + u.outputTokens > 0), JSON.stringify(usage1));
check('no blocking dialog on screen', !(sut.blockingDialog?.test(s1.screen()) ?? false) && !/Connect a provider|Sign in|API key/i.test(s1.screen()), screenTail(s1));

const listening = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => tree(s1.p.pid).some((x) => l.includes(`pid=${x.pid},`)));
check('no listening port (server runs in-process)', listening.length === 0, listening.join(' | ') || 'none');

// follow-up typed into the TUI → question
const n1 = signals.length;
await sleep(1000);
await type(s1, 'PROBE-QUESTION: what next');
const q = await waitFor('question', () => since(n1).find((x) => x.kind === 'needs_input' || (x.kind === 'status' && x.status === 'idle')), 60000);
check('follow-up typed into the TUI is submitted (working after it)', since(n1).some((x) => x.kind === 'status' && x.status === 'working'), kinds(since(n1)));
check('same conversation for the follow-up', server.requests.filter((r) => r.view?.userTexts.some((t) => t.includes('PROBE-QUESTION'))).some((r) => r.view.userTexts.some((t) => t.includes('PROBE-COMMIT'))), 'request with PROBE-QUESTION also carries PROBE-COMMIT');
check('question at end of turn → needs_input(question)', q?.kind === 'needs_input' && q.reason === 'question', q?.message);
const n2 = signals.length;
await sleep(Number(process.env.PROBE_IDLE_WAIT_MS ?? 20000));
check('no needs_input while idle afterwards (no idle reminder)', !since(n2).some((x) => x.kind === 'needs_input'), `${since(n2).length} signals in the wait`);
writeFileSync(join(root, 'screen-s1.txt'), s1.screen());
await stop(s1, 'session 1');

// === Session 2: auto mode, resume by id, background process =================================
const reqsBefore = server.requests.length;
const n3 = signals.length;
const s2 = startSession({ permissionMode: 'auto', resumeId: convId, prompt: 'PROBE-RESUME: continue' });
const escapees = new Map();
const idle2 = await waitFor('idle after resume turn', () => {
  for (const x of tree(s2.p.pid)) if (x.pgid !== s2.p.pid) escapees.set(x.pid, x);
  return since(n3).find((x) => x.kind === 'status' && x.status === 'idle');
}, 90000);
const resumed = server.requests.slice(reqsBefore).find((r) => r.view && r.view.userTexts.some((t) => t.includes('PROBE-RESUME')));
check('resume: the new process sent the earlier messages', !!resumed && resumed.view.userTexts.some((t) => t.includes('PROBE-COMMIT')), JSON.stringify(resumed?.view?.userTexts));
check('resume: same conversation id', since(n3).find((x) => x.kind === 'conversation')?.id === convId, `${convId} vs ${since(n3).find((x) => x.kind === 'conversation')?.id}`);
check('auto mode: no permission prompt, tools ran', !since(n3).some((x) => x.kind === 'needs_input') && existsSync(join(worktree, 'auto.txt')) && !!idle2, kinds(since(n3)));
check('tool processes run in their own process group (bash tool spawns detached)', escapees.size > 0, describe([...escapees.values()]));
const escaped2 = await stop(s2, 'session 2');
check('a background process a tool started escapes the process group (runner must sweep/cgroup)', escaped2.some((x) => x.args.includes('sleep 1234')), describe(escaped2));

// === Session 3: ask mode, resume, reject a permission with the deny key =====================
const n4 = signals.length;
const s3 = startSession({ permissionMode: 'ask', resumeId: convId, prompt: 'PROBE-DENY: touch denied.txt' });
const perm3 = await waitFor('permission 3', () => since(n4).find((x) => x.kind === 'needs_input' && x.reason === 'permission'), 90000);
await sleep(800);
s3.p.write(sut.permissionKeys.deny);
const idle3 = await waitFor('idle after deny', () => since(n4).find((x) => x.kind === 'status' && x.status === 'idle'), 60000);
check('deny key rejects: input_answered, command not run, idle', !!perm3 && since(n4).some((x) => x.kind === 'input_answered' && /reject/.test(x.message)) && !existsSync(join(worktree, 'denied.txt')) && !!idle3, kinds(since(n4)));
writeFileSync(join(root, 'screen-s3.txt'), s3.screen());
await stop(s3, 'session 3');

// --- report ---------------------------------------------------------------------------------
appendFileSync(join(root, 'requests.json'), JSON.stringify(server.requests.map((r) => ({ path: r.path, view: r.view, decision: r.decision })), null, 1));
await server.close();
const failed = results.filter((r) => !r.ok);
log(`${results.length - failed.length}/${results.length} checks passed; artifacts in ${root} (hooks.jsonl, requests.json, screen-*.txt)`);
process.exit(failed.length ? 1 : 0);
