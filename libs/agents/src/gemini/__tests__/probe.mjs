#!/usr/bin/env node
/*
 * Drives the REAL Gemini CLI in a PTY against the scripted fake model (loopback only), with the
 * home from geminiAdapter.prepareHome, in a fresh repo + `git worktree add` worktree, and prints
 * what happened for each conformance check. Stand-in for `baton hook`: a script appending
 * {event, argv, payload} lines to a log. Run from /work/main:
 *   node libs/agents/src/gemini/__tests__/probe.mjs [--keep] [--idle-wait=65]
 * GEMINI_BIN overrides the CLI (default: the pinned install under ~/.cache/baton-agent-clis).
 */
import { createRequire } from 'node:module';
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../..');
const swc = require(path.join(ROOT, 'node_modules/@swc/core'));
require.extensions['.ts'] = (module, filename) => {
  const src = fs.readFileSync(filename, 'utf8');
  const out = swc.transformSync(src, { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  module._compile(out.code, filename);
};
const pty = require(path.join(ROOT, 'node_modules/node-pty'));
const { startFakeModelServer } = require(path.join(ROOT, 'libs/testing/src/fake-model/server.ts'));
const { geminiProtocol } = require(path.join(ROOT, 'libs/testing/src/fake-model/gemini.ts'));
const { geminiAdapter } = require(path.join(ROOT, 'libs/agents/src/gemini/gemini.adapter.ts'));

const args = process.argv.slice(2);
const KEEP = args.includes('--keep');
const IDLE_WAIT = Number((args.find((a) => a.startsWith('--idle-wait=')) ?? '--idle-wait=65').split('=')[1]);
const GEMINI_BIN = process.env.GEMINI_BIN ?? '/root/.cache/baton-agent-clis/_google_gemini-cli_0.61.0/node_modules/.bin/gemini';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const results = [];
const check = (name, ok, evidence) => {
  results.push({ name, ok, evidence });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${evidence ? `  — ${evidence}` : ''}`);
};
// eslint-disable-next-line no-control-regex
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g, '');

// ---- workspace: repo, worktree, agent home, baton stand-in ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gemini-probe-'));
const repo = path.join(tmp, 'repo');
const worktree = path.join(tmp, 'wt');
const home = path.join(tmp, 'home');
const hookLog = path.join(tmp, 'hooks.jsonl');
const hookScript = path.join(tmp, 'baton-hook.cjs');
fs.mkdirSync(repo);
fs.mkdirSync(home);
const git = (cwd, ...a) => execFileSync('git', ['-c', 'user.name=Probe', '-c', 'user.email=probe@example.com', ...a], { cwd, encoding: 'utf8' });
git(repo, 'init', '-q', '-b', 'main');
fs.writeFileSync(path.join(repo, 'README.md'), '# probe\n');
git(repo, 'add', '.');
git(repo, 'commit', '-qm', 'init');
git(repo, 'worktree', 'add', '-q', '-b', 'attempt-1', worktree);
fs.writeFileSync(
  hookScript,
  `const fs=require('fs');let d='';process.stdin.on('data',c=>d+=c);process.stdin.on('end',()=>{let p=null;try{p=JSON.parse(d)}catch{p=d}
fs.appendFileSync(${JSON.stringify(hookLog)},JSON.stringify({at:Date.now(),argv:process.argv.slice(2),payload:p,env:{BATON_SESSION_TOKEN:process.env.BATON_SESSION_TOKEN||null}})+'\\n');});`,
);
const batonCommand = `"${process.execPath}" "${hookScript}"`;
const gitDir = git(worktree, 'rev-parse', '--absolute-git-dir').trim();
const commonDir = path.resolve(worktree, git(worktree, 'rev-parse', '--git-common-dir').trim());
const gitAuthor = { name: 'Baton Agent', email: 'agent@baton.test' };

const hooks = () => (fs.existsSync(hookLog) ? fs.readFileSync(hookLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const state = new Map();
const ctx = { readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null), state: { get: (k) => state.get(k), set: (k, v) => state.set(k, v) } };
let translatedUpTo = 0;
const signals = [];
function translateNew() {
  const all = hooks();
  for (const h of all.slice(translatedUpTo)) {
    for (const s of geminiAdapter.translateSignal(h.argv[2], h.payload, ctx)) signals.push({ at: h.at, event: h.argv[2], ...s });
  }
  translatedUpTo = all.length;
  return signals;
}

// ---- fake model ----
const script = {
  fallback: 'OK',
  turns: [
    {
      match: 'TASK1',
      steps: [
        { kind: 'write', path: 'hello.txt', content: 'hello from gemini\n' },
        { kind: 'shell', command: 'git add hello.txt && git commit -m "add hello" && git log -1 --format="%an <%ae>"' },
      ],
      reply: 'Committed hello.txt.',
      usage: { input: 1000, output: 50 },
    },
    { match: 'TASK2', steps: [], reply: 'I can also add a README section. Should I do that?', usage: { input: 1200, output: 20 } },
    { match: 'TASK3', steps: [{ kind: 'shell', command: 'echo resumed-ok > resumed.txt' }], reply: 'Resumed and wrote resumed.txt.', usage: { input: 1500, output: 40 } },
    { match: 'TASK4', steps: [{ kind: 'shell', command: 'sleep 301 & nohup sleep 302 >/dev/null 2>&1 & setsid sleep 303 >/dev/null 2>&1 & echo started-bg' }], reply: 'Background sleeps started.', usage: { input: 100, output: 10 } },
    { match: 'TASK5', steps: [{ kind: 'shell', command: 'echo denied-should-not-run > denied.txt' }], reply: 'Ran it.', usage: { input: 100, output: 10 } },
  ],
};
const server = await startFakeModelServer([geminiProtocol], script);

// ---- prepareHome + spawn ----
const homeInput = { home, worktree, gitWritableDirs: [gitDir, commonDir], env: {}, permissionMode: 'ask', batonCommand, gitAuthor };
function writeHome(permissionMode) {
  const prepared = geminiAdapter.prepareHome({ ...homeInput, permissionMode });
  for (const f of prepared.files) {
    const p = path.join(home, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    let content = f.content;
    if (f.merge === 'json' && fs.existsSync(p)) content = JSON.stringify({ ...JSON.parse(fs.readFileSync(p, 'utf8')), ...JSON.parse(f.content) }, null, 2);
    fs.writeFileSync(p, content, { mode: f.mode ?? 0o600 });
  }
  return prepared.env;
}
function spawnAgent({ permissionMode, resumeId, prompt, model = 'gemini-2.5-flash' }) {
  const homeEnv = writeHome(permissionMode);
  const promptFile = path.join(tmp, `prompt-${Date.now()}.txt`);
  if (prompt) fs.writeFileSync(promptFile, prompt);
  const launch = geminiAdapter.launch({ program: GEMINI_BIN, permissionMode, resumeId, hasPrompt: !!prompt, model });
  const env = {
    PATH: `${path.dirname(GEMINI_BIN)}:${process.env.PATH}`,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    GEMINI_API_KEY: 'fake-key',
    GOOGLE_GEMINI_BASE_URL: server.url,
    BATON_PROMPT_FILE: promptFile,
    BATON_AGENT_PROGRAM: GEMINI_BIN,
    BATON_SESSION_TOKEN: 'tok-probe',
    ...launch.env,
    ...homeEnv,
  };
  const argv = launch.argv;
  console.log(`spawn: ${JSON.stringify(launch.argv)}`);
  const p = pty.spawn(argv[0], argv.slice(1), { name: 'xterm-256color', cols: 120, rows: 40, cwd: worktree, env });
  const agent = { p, out: '', exited: null };
  p.onData((d) => {
    agent.out += d;
    // Answer terminal queries the TUI sends (cursor position, device attributes, bg color) like a real terminal would.
    if (d.includes('\x1b[6n')) p.write('\x1b[1;1R');
    if (d.includes('\x1b[c')) p.write('\x1b[?62;c');
    if (d.includes('\x1b]11;?')) p.write('\x1b]11;rgb:0000/0000/0000\x1b\\');
  });
  p.onExit((e) => (agent.exited = e));
  agent.screen = (n = 3000) => stripAnsi(agent.out.slice(-n));
  return agent;
}
async function waitFor(pred, ms, what) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const v = pred();
    if (v) return v;
    await sleep(250);
  }
  console.log(`  (timeout waiting for ${what})`);
  return null;
}
const sigs = (pred) => translateNew().filter(pred);
function pgroupTree(pid) {
  try {
    return execSync(`ps -eo pid,ppid,pgid,sid,args --forest | awk '$3==${pid} || $2==${pid}'`, { encoding: 'utf8' });
  } catch {
    return '';
  }
}
function descendants(pid) {
  const rows = execSync('ps -eo pid=,ppid=,pgid=,sid=,args=', { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const out = [];
  const walk = (p) => rows.filter((r) => r[1] === String(p)).forEach((r) => (out.push({ pid: +r[0], pgid: +r[2], sid: +r[3], args: r.slice(4).join(' ') }), walk(r[0])));
  walk(pid);
  return out;
}
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function stop(agent) {
  const pid = agent.p.pid;
  const before = descendants(pid);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const exited = await waitFor(() => agent.exited, 5000, 'exit after SIGTERM');
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await sleep(1000);
  const left = before.filter((d) => alive(d.pid));
  for (const d of left) {
    try {
      process.kill(d.pid, 'SIGKILL'); // clean up what escaped, by pid
    } catch {
    /* already gone */
  }
  }
  return { before, left, exitedOnTerm: !!exited };
}

if (args.includes('--bg-only')) {
  const g = spawnAgent({ permissionMode: 'auto', resumeId: null, prompt: 'TASK4: start background sleeps' });
  await waitFor(() => server.requests.some((r) => r.view?.toolRoundsSinceUser === 1), 60000, 'bg tool ran');
  await sleep(3000);
  const rows = execSync('ps -eo pid,ppid,pgid,sid,args', { encoding: 'utf8' }).split('\n').filter((l) => /sleep 30[123]/.test(l) && !/bash -c|ps -eo/.test(l));
  console.log(`gemini pid ${g.p.pid}; background after the command returned:\n${rows.join('\n') || '(none)'}`);
  console.log(String(server.requests.at(-1)?.body?.contents?.at(-1)?.parts?.[0]?.functionResponse?.response?.output));
  const st = await stop(g);
  const survivors = rows.map((l) => l.trim().split(/\s+/)).filter((r) => alive(+r[0]));
  console.log(`after group kill: ${survivors.map((r) => r.join(' ')).join('; ') || 'none'} (exitedOnTerm ${st.exitedOnTerm})`);
  for (const r of survivors) try { process.kill(+r[0], 'SIGKILL'); } catch {
    /* already gone */
  }
  await server.close();
  process.exit(0);
}

// ================= run 1: ask mode, first prompt with a file write + commit =================
console.log(`tmp=${tmp} fake=${server.url}`);
let a = spawnAgent({ permissionMode: 'ask', resumeId: null, prompt: 'TASK1: write hello.txt and commit it' });
const reg = await waitFor(() => sigs((s) => s.kind === 'register').length, 60000, 'register');
check('registers at start (SessionStart hook)', !!reg, JSON.stringify(hooks()[0]?.payload ?? null).slice(0, 200));
const conv = translateNew().find((s) => s.kind === 'conversation');
check('conversation id from hook session_id', !!conv, conv?.id);
check('hook env keeps BATON_* (not redacted)', hooks()[0]?.env?.BATON_SESSION_TOKEN === 'tok-probe', JSON.stringify(hooks()[0]?.env));
const working1 = await waitFor(() => sigs((s) => s.kind === 'status' && s.status === 'working').length, 30000, 'working');
check('working after the -i prompt is submitted (BeforeAgent)', !!working1, (translateNew().find((s) => s.status === 'working') || {}).message);
// permission prompts: approve each (Enter on "Allow once"), record needs_input → input_answered
let approvals = 0;
for (let i = 0; i < 2; i++) {
  const ni = await waitFor(() => sigs((s) => s.kind === 'needs_input' && s.reason === 'permission').length > approvals, 40000, `permission #${i + 1}`);
  if (!ni) break;
  const n = sigs((s) => s.kind === 'needs_input' && s.reason === 'permission')[approvals];
  approvals++;
  console.log(`  needs_input: ${JSON.stringify(n.permission)} msg=${n.message}`);
  await waitFor(() => /Allow once|Allow execution|Apply this change/i.test(a.screen()), 10000, 'approval UI');
  await sleep(500);
  const sinceBefore = translateNew().length;
  a.p.write(geminiAdapter.permissionKeys.approve);
  const ans = await waitFor(() => translateNew().slice(sinceBefore).find((s) => s.kind === 'input_answered'), 30000, 'input_answered');
  check(`permission #${approvals} → needs_input(tool+detail), then input_answered after approval`, !!ans && !!n.permission?.tool && !!n.permission?.detail, `${n.permission?.tool}: ${n.permission?.detail} → ${ans?.message}`);
}
const idle1 = await waitFor(() => sigs((s) => s.kind === 'status' && s.status === 'idle').length, 40000, 'idle');
check('idle after the turn (AfterAgent)', !!idle1, (sigs((s) => s.status === 'idle')[0] || {}).message);
const commitLog = (() => {
  try {
    return git(worktree, 'log', '-1', '--format=%an <%ae> | %cn <%ce> | %s');
  } catch (e) {
    return String(e);
  }
})();
check('git commit in the worktree with author from env', /Baton Agent <agent@baton.test> \| Baton Agent <agent@baton.test> \| add hello/.test(commitLog), commitLog.trim());
const u1 = sigs((s) => s.kind === 'usage');
check('usage > 0 after the turn (from transcript tokens)', u1.some((u) => u.inputTokens > 0 && u.outputTokens > 0), JSON.stringify(u1));

// ================= follow-up typed into the TUI: a question =================
await sleep(1500);
const before2 = translateNew().length;
a.p.write('TASK2: anything else?');
await sleep(geminiAdapter.submit.enterDelayMs);
a.p.write(geminiAdapter.submit.enter);
const q = await waitFor(() => translateNew().slice(before2).find((s) => s.kind === 'needs_input' && s.reason === 'question'), 40000, 'question');
const sawFollowUp = server.requests.some((r) => r.view?.userTexts.at(-1)?.includes('TASK2'));
check('follow-up typed (text, delay, Enter) is submitted', sawFollowUp, `fake server saw TASK2: ${sawFollowUp}`);
check('question at end of turn → needs_input(question)', !!q, q?.message);

// ================= idle wait: nothing turns into needs_input =================
const before3 = translateNew().length;
console.log(`  waiting ${IDLE_WAIT}s idle…`);
await sleep(IDLE_WAIT * 1000);
const late = translateNew().slice(before3);
check(`no signals while idle for ${IDLE_WAIT}s (no idle reminder as needs_input)`, !late.some((s) => s.kind === 'needs_input'), JSON.stringify(late));

// ================= stop run 1 =================
const sessionId = conv?.id;
console.log('process tree (run 1):\n' + pgroupTree(a.p.pid));
// ================= denial: Esc on a permission prompt =================
const before5 = translateNew().length;
a.p.write('TASK5: write denied.txt');
await sleep(geminiAdapter.submit.enterDelayMs);
a.p.write('\r');
const ni5 = await waitFor(() => translateNew().slice(before5).find((s) => s.kind === 'needs_input' && s.reason === 'permission'), 30000, 'permission (deny)');
await waitFor(() => /Allow once/i.test(a.screen()), 10000, 'approval UI');
await sleep(500);
const before6 = translateNew().length;
a.p.write(geminiAdapter.permissionKeys.deny);
await sleep(8000);
const afterDeny = translateNew().slice(before6);
check('denied permission (Esc): what follows', !!ni5 && !fs.existsSync(path.join(worktree, 'denied.txt')), `signals after Esc: ${JSON.stringify(afterDeny.map((s) => `${s.event}:${s.kind}${s.status ? '/' + s.status : ''}`))}`);
a.p.write('TASK2: anything else?');
await sleep(geminiAdapter.submit.enterDelayMs);
a.p.write('\r');
await waitFor(() => translateNew().slice(before6).find((s) => s.kind === 'needs_input' && s.reason === 'question'), 30000, 'question after deny');
check('after a denial, the next prompt clears it (input_answered then working)', translateNew().slice(before6).some((s) => s.kind === 'input_answered'), JSON.stringify(translateNew().slice(before6).map((s) => `${s.event}:${s.kind}`)));

check('no blocking dialog on screen (trust/auth/API key)', !geminiAdapter.blockingDialog.test(stripAnsi(a.out)), 'blockingDialog regex never matched run 1');
const s1 = await stop(a);
check('stop (run 1): SIGTERM to the process group ends it', s1.exitedOnTerm && s1.left.length === 0, `descendants: ${s1.before.length}, left: ${s1.left.length}`);

// ================= run 2: resume by id, auto mode =================
const reqsBefore = server.requests.length;
const b = spawnAgent({ permissionMode: 'auto', resumeId: sessionId, prompt: 'TASK3: continue' });
const resumedReq = await waitFor(() => server.requests.slice(reqsBefore).find((r) => r.view?.userTexts.at(-1)?.includes('TASK3')), 60000, 'resumed request');
// (After the cancelled TASK5 Gemini CLI rewrites its history and the first prompt's text, TASK1, is dropped: look for its reply.)
const resumedBody = JSON.stringify(resumedReq?.body ?? null);
check('resume: the new process sends earlier messages with TASK3', !!resumedReq && resumedReq.view.userTexts.some((t) => t.includes('TASK2')) && resumedBody.includes('Committed hello.txt.'), JSON.stringify(resumedReq?.view.userTexts.map((t) => t.slice(-40))));
const conv2 = await waitFor(() => sigs((s) => s.kind === 'conversation' && s.at > (resumedReq?.at ?? 0) - 60000).at(-1), 5000, 'conv2');
check('resume keeps the same conversation id', conv2?.id === sessionId, `${conv2?.id} vs ${sessionId}`);
const done2 = await waitFor(() => fs.existsSync(path.join(worktree, 'resumed.txt')) && sigs((s) => s.kind === 'status' && s.status === 'idle' && s.at > resumedReq.at).length, 40000, 'auto turn');
check('auto (yolo): shell tool runs with no needs_input', !!done2 && !sigs((s) => s.kind === 'needs_input' && s.at > resumedReq.at).length, fs.existsSync(path.join(worktree, 'resumed.txt')) ? 'resumed.txt written' : 'no file');
const u2 = sigs((s) => s.kind === 'usage' && s.at > resumedReq.at);
check('usage after resume counts only the new turn', u2.length > 0 && u2.every((u) => u.inputTokens < 3000), JSON.stringify(u2));

// background process: does it escape the group?
const before4 = server.requests.length;
b.p.write('TASK4: start a background sleep');
await sleep(geminiAdapter.submit.enterDelayMs);
b.p.write('\r');
await waitFor(() => server.requests.slice(before4).some((r) => r.view?.toolRoundsSinceUser === 1), 30000, 'bg tool ran');
await sleep(3000);
const bgRows = execSync('ps -eo pid,ppid,pgid,sid,args', { encoding: 'utf8' }).split('\n').filter((l) => /sleep 30[123]/.test(l) && !l.includes('bash -c'));
console.log(`gemini pid/pgid/sid ${b.p.pid}; background sleeps:\n${bgRows.join('\n')}`);
const s2 = await stop(b);
console.log(`descendants before stop: ${JSON.stringify(s2.before.map((d) => `${d.pid}/${d.pgid}/${d.sid} ${d.args.slice(0, 60)}`))}`);
const escaped = bgRows.map((l) => l.trim().split(/\s+/)).filter((r) => alive(+r[0]));
for (const r of escaped) try { process.kill(+r[0], 'SIGKILL'); } catch {
    /* already gone */
  }
check('stop (run 2): killing gemini\'s process group ends background children (nohup/setsid escape: runner needs a cgroup)', escaped.length === 0, escaped.length ? `survived: ${escaped.map((r) => `${r[0]}(pgid ${r[2]}, sid ${r[3]}) ${r.slice(4).join(' ')}`).join('; ')}` : 'none survived');

// ---- evidence ----
const chats = execSync(`find ${home}/.gemini/tmp -name '*.json*' | head`, { encoding: 'utf8' });
console.log('chat files:\n' + chats);
console.log('hook events: ' + hooks().map((h) => h.argv[2]).join(','));
console.log('model requests: ' + server.requests.map((r) => `${r.method} ${r.path.split('?')[0].replace(/^.*models\//, '')}${r.view ? `[${r.view.tools.length}t,r${r.view.toolRoundsSinceUser}]` : ''}`).join(' '));
fs.writeFileSync(path.join(tmp, 'requests.json'), JSON.stringify(server.requests, null, 1));
fs.writeFileSync(path.join(tmp, 'signals.json'), JSON.stringify(signals, null, 1));
fs.writeFileSync(path.join(tmp, 'screen1.txt'), stripAnsi(a.out));
fs.writeFileSync(path.join(tmp, 'screen2.txt'), stripAnsi(b.out));
await server.close();
console.log(`\n${results.filter((r) => r.ok).length}/${results.length} checks passed; artifacts in ${tmp}`);
if (!KEEP) console.log('(pass --keep to keep using the artifacts; they stay in tmp either way)');
process.exit(results.every((r) => r.ok) ? 0 : 1);
