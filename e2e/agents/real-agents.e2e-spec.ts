import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapterFor, type AgentId } from '@baton/agents';
import { anthropicMessages, eventually, geminiProtocol, openaiChatHandler, openaiResponsesHandler, type FakeModelServer, type ProtocolHandler } from '@baton/testing';
import { json, runCli, runCliOk, type Ran } from '../cli/baton-cli';
import { git, tempRepo } from './agent-process';
import { startAgentStack, type AgentStack } from './agent-stack';

/** apps/runner/src/host/agent-user.ts DEFAULT_AGENT_UID: the user a root runner's agents run as. */
const AGENT_UID_ON_ROOT = 64000;

interface SessionView {
  id: string;
  templateId: string;
  status: string;
  statusReason?: string;
  attemptId: string | null;
  usage?: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Processes anywhere on this machine that carry this session's id in their environment. */
function processesOf(sessionId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`BATON_SESSION_ID=${sessionId}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** What each agent needs to talk to the fake model instead of its provider. */
interface AgentCase {
  agent: AgentId;
  protocol: ProtocolHandler;
  env: (fakeUrl: string) => string[];
  /** The agent reports its own cost, or Baton prices a model its table knows. */
  priced: boolean;
  /** A model to run instead of the agent's default (a project template of the built-in with it). */
  model?: string;
  /** In `ask` mode a file write waits for a person (Codex writes inside its sandbox without asking). */
  asksToWrite?: boolean;
}

const CASES: AgentCase[] = [
  {
    agent: 'claude-code',
    protocol: anthropicMessages,
    env: (url) => [`ANTHROPIC_BASE_URL=${url}`, 'ANTHROPIC_API_KEY=sk-ant-api03-e2e-not-a-real-key-0123456789abcdef'],
    priced: true,
  },
  // Gemini CLI 0.61's default model (gemini-3.x) never runs the fake model's tool calls; 2.5 does (docs/agents/gemini.md).
  { agent: 'gemini', protocol: geminiProtocol, env: (url) => [`GOOGLE_GEMINI_BASE_URL=${url}`, 'GEMINI_API_KEY=e2e-not-a-real-gemini-key'], priced: true, model: 'gemini-2.5-flash' },
  { agent: 'opencode', protocol: openaiChatHandler, env: (url) => [`OPENCODE_BASE_URL=${url}/v1`, 'OPENAI_API_KEY=e2e-not-a-real-openai-key'], priced: true },
  {
    agent: 'codex',
    protocol: openaiResponsesHandler,
    env: (url) => [`OPENAI_BASE_URL=${url}/v1`, 'OPENAI_API_KEY=e2e-not-a-real-openai-key'],
    // With its default model Codex 0.171 sends the fake server no tools; a model it has no preset for gets them.
    model: 'fake-model',
    priced: false,
    asksToWrite: false,
  },
];

/*
 * Conformance of the real-agent adapters (issue #11): each real CLI from npm, pinned at the
 * version its adapter is verified against, in a real PTY on a real runner, talking to a
 * scripted fake model on loopback. Status comes from the agent's own hooks.
 */
describe.each(CASES)('$agent (real CLI) on a real stack', ({ agent, protocol, env: agentEnv, priced, model, asksToWrite = true }) => {
  let stack: AgentStack;
  let env: Record<string, string>;
  let fake: FakeModelServer;
  const baton = (...args: string[]) => runCli(args, env);
  const ok = (...args: string[]): Promise<Ran> => runCliOk(args, env);
  const show = async (id: string) => json<SessionView>(await ok('session', 'show', id, '--json'));
  /**
   * Waits for a state of the session; when it does not come, says what the session, its terminal and the fake model saw.
   * The budget is for a saturated CI machine, not a quiet one: there OpenCode alone spends 40 s before its first
   * turn reaches the model (its own log: init, a copy of the project's git dir, snapshot tracking), and three times that under load.
   */
  const until = async (id: string, want: (s: SessionView) => boolean, what: string, ms = 180_000) => {
    try {
      return await eventually(async () => {
        const s = await show(id);
        if (want(s)) return s;
        if (['failed', 'completed'].includes(s.status)) throw new Error(`session ${id} ended ${s.status} (${s.statusReason ?? ''}) waiting for ${what}`);
        return null;
      }, ms, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${await explain(id)}`);
    }
  };
  /** What the session, its terminal and the fake model saw: for a failure's message. */
  const explain = async (id: string) => {
    const logs = (await baton('session', 'logs', id)).stdout.slice(-3_000);
    const cast = (await baton('session', 'export', id, '--format', 'cast')).stdout;
    const saved = join(tmpdir(), `baton-e2e-${agent}-${id}.cast`);
    writeFileSync(saved, cast);
    const screen = `(whole recording: ${saved})\n${cast.slice(-4_000)}`;
    const seen = fake.requests.map((r) => `${r.method} ${r.path} [${r.view ? `${r.view.tools.length} tools, round ${r.view.toolRoundsSinceUser}` : 'no turn'}] → ${r.decision ? r.decision.kind : '-'}`).join('\n');
    const last = await baton('session', 'show', id, '--json');
    return `--- session\n${last.stdout.slice(0, 1_500)}\n--- timeline\n${logs}\n--- terminal (tail)\n${screen}\n--- fake model saw\n${seen}`;
  };

  beforeAll(async () => {
    stack = await startAgentStack(agent, protocol, {
      turns: [
        {
          match: 'TURN-ONE',
          steps: [
            { kind: 'write', path: 'hello.txt', content: 'hello from the agent\n' },
            // The daemon leaves the agent's process tree (setsid): stopping the session must still end it.
            // ...and what an attacker would try: the runner's environment (DATABASE_URL) through /proc.
            {
              kind: 'shell',
              command:
                'git add hello.txt && git commit -q -m "add hello" && (setsid sleep 600 </dev/null >/dev/null 2>&1 &) && ' +
                "{ cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '^DATABASE_URL=' > seen-env.txt; echo committed; }",
              escalate: true,
            },
          ],
          reply: 'Done with turn one.',
          usage: { input: 1000, output: 200 },
        },
        { match: 'TURN-TWO', steps: [], reply: 'Which color do you prefer?' },
        { match: 'TURN-THREE', steps: [], reply: 'Resumed, and done.' },
      ],
    });
    ({ fake, env } = stack);
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** The built-in template with another model, as a project's own template (no CLI verb for templates yet). */
  async function defineTemplate(projectId: string, withModel: string): Promise<string> {
    const id = `${agent}-${withModel.replace(/[^a-z0-9]/gi, '-')}`;
    const spec = { name: `${agent} ${withModel}`, kind: 'agent', argv: [adapterFor(agent)!.bin], agent, model: withModel };
    const r = await fetch(`${env.BATON_API_URL}/api/session-templates`, { method: 'POST', headers: { authorization: `Bearer ${env.BATON_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ id, projectId, spec }) });
    if (!r.ok) throw new Error(`defining template ${id}: ${r.status} ${await r.text()}`);
    return id;
  }

  it('asks permission, is answered, works, commits, goes idle, takes a follow-up, stops whole and resumes its conversation in a new session', async () => {
    const repo = tempRepo('unused');
    const envFlags = agentEnv(fake.url).flatMap((kv) => ['--env', kv]);
    const projectId = json<{ id: string }>(await ok('project', 'create', '--name', `${agent}-e2e`, '--repo', repo, '--branch', 'main', ...envFlags, '--json')).id;
    const template = model ? await defineTemplate(projectId, model) : agent;
    const taskId = json<{ id: string }>(await ok('task', 'create', projectId, '--title', 'Say hello', '--json')).id;
    const attemptId = json<{ id: string }>(await ok('task', 'start-attempt', taskId, '--json')).id;
    const sessionId = json<{ id: string }>(await ok('session', 'spawn', '--template', template, '--attempt', attemptId, '--prompt', 'Please do TURN-ONE.', '--json')).id;

    // ask mode: the write is a permission prompt, shown as needs_input naming the tool and the file.
    if (asksToWrite) {
      const asked = await until(sessionId, (s) => s.status === 'needs_input', 'the write permission prompt');
      expect(asked.statusReason).toMatch(/hello\.txt/);
      await ok('session', 'approve', sessionId);
    }
    const shell = await until(sessionId, (s) => s.status === 'needs_input' && /git add hello\.txt/.test(s.statusReason ?? ''), 'the shell permission prompt');
    expect(shell.statusReason).toMatch(/git commit/);
    await ok('session', 'approve', sessionId);
    // OpenCode asks twice for that command: for the path outside the worktree it reads (/proc), then for bash.
    const endOfTurn = (s: SessionView) => s.status === 'idle' && (s.usage?.inputTokens ?? 0) > 0;
    let idle = await until(sessionId, (s) => endOfTurn(s) || (s.status === 'needs_input' && /git add hello\.txt/.test(s.statusReason ?? '')), 'the end of the turn with its usage');
    if (!endOfTurn(idle)) {
      await ok('session', 'approve', sessionId);
      idle = await until(sessionId, endOfTurn, 'the end of the turn with its usage');
    }
    expect(idle.usage!.outputTokens).toBeGreaterThan(0);
    if (priced) expect(idle.usage!.costUsd).toBeGreaterThan(0);

    const worktree = json<{ worktreePath: string | null }>(await ok('attempt', 'show', attemptId, '--json')).worktreePath!;
    const commit = git(worktree, 'log', '--format=%s|%an', '-1');
    if (commit !== 'add hello|Baton Agent') throw new Error(`no commit on the attempt's branch (last: ${commit})\n${await explain(sessionId)}`);
    expect(readFileSync(join(worktree, 'hello.txt'), 'utf8')).toBe('hello from the agent\n');
    // A root runner's agent is not root on the host: what it wrote belongs to the agents' own user.
    expect(statSync(join(worktree, 'hello.txt')).uid).toBe(process.getuid?.() === 0 ? AGENT_UID_ON_ROOT : process.getuid?.());
    // Sandboxed (bubblewrap): no process of the runner, so none of its secrets, is visible to the agent.
    expect(readFileSync(join(worktree, 'seen-env.txt'), 'utf8').trim()).toBe('0');

    // A follow-up is typed AND submitted; a turn that ends in a question waits for a person.
    await ok('attempt', 'follow-up', attemptId, 'Now TURN-TWO please');
    const question = await until(sessionId, (s) => s.status === 'needs_input' && /color/.test(s.statusReason ?? ''), 'the question');
    expect(question.statusReason).toContain('Which color do you prefer?');

    await ok('session', 'stop', sessionId);
    await until(sessionId, (s) => s.status === 'stopped', 'the stop');
    await eventually(async () => processesOf(sessionId).length === 0, 45_000, 'every process of the session to be gone');

    // No session runs: a review's comment starts one like the last, which resumes the same conversation.
    await ok('attempt', 'review', attemptId);
    await ok('attempt', 'request-changes', attemptId, '--comment', 'TURN-THREE now');
    const listed = async () => json<{ items: SessionView[] }>(await ok('session', 'list', '--task', taskId, '--json')).items;
    const next = await eventually(async () => (await listed()).find((s) => s.id !== sessionId) ?? null, 90_000, 'the session the review comment started');
    expect(next.templateId).toBe(template);
    const resumed = next.id;
    await until(resumed, (s) => s.status === 'idle' && (s.usage?.inputTokens ?? 0) > 0, 'the resumed turn');
    const turnThree = fake.requests.filter((r) => r.view?.userTexts.some((t) => t.includes('TURN-THREE'))).pop();
    expect(turnThree?.view?.userTexts.some((t) => t.includes('TURN-ONE'))).toBe(true);
    expect(turnThree?.view?.userTexts.some((t) => t.includes('TURN-TWO'))).toBe(true);
    await ok('session', 'stop', resumed);
    await eventually(async () => processesOf(resumed).length === 0, 45_000, 'every process of the resumed session to be gone');
  }, 900_000);
});
