import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeCodeAdapter } from '@baton/agents';
import { anthropicMessages, createTestNamespace, eventually, installAgentCli, startFakeModelServer, startService, type FakeModelServer, type TestNamespace } from '@baton/testing';
import { cleanEnv, json, runCli, type Ran } from '../cli/baton-cli';
import { CLI, git, tempRepo } from './agent-process';

const AGENT_SECRET = 'e2e-claude-token-secret-0123456789abcdef';

interface SessionView {
  id: string;
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

/*
 * Conformance of the `claude-code` adapter (issue #11): the real Claude Code from npm, pinned at
 * the version the adapter is verified against, in a real PTY on a real runner, talking to a
 * scripted fake Anthropic endpoint on loopback. Its status comes from its own hooks.
 */
describe('Claude Code (real CLI) on a real stack', () => {
  let ns: TestNamespace;
  let env: Record<string, string>;
  let fake: FakeModelServer;
  const baton = (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]): Promise<Ran> => {
    const r = await baton(...args);
    if (r.code !== 0) throw new Error(`baton ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  const show = async (id: string) => json<SessionView>(await ok('session', 'show', id, '--json'));
  const until = (id: string, want: (s: SessionView) => boolean, what: string, ms = 90_000) =>
    eventually(async () => {
      const s = await show(id);
      if (want(s)) return s;
      if (['failed', 'completed'].includes(s.status)) throw new Error(`session ${id} ended ${s.status} (${s.statusReason ?? ''}) waiting for ${what}`);
      return null;
    }, ms, what);

  beforeAll(async () => {
    ns = await createTestNamespace();
    const agentBin = await installAgentCli(claudeCodeAdapter.npmPackage, claudeCodeAdapter.verifiedVersion);
    fake = await startFakeModelServer([anthropicMessages], {
      turns: [
        {
          match: 'TURN-ONE',
          steps: [
            { kind: 'write', path: 'hello.txt', content: 'hello from the agent\n' },
            { kind: 'shell', command: 'git add hello.txt && git commit -q -m "add hello" && echo committed' },
          ],
          reply: 'Done with turn one.',
          usage: { input: 1000, output: 200 },
        },
        { match: 'TURN-TWO', steps: [], reply: 'Which color do you prefer?' },
        { match: 'TURN-THREE', steps: [], reply: 'Resumed, and done.' },
      ],
    });
    const bin = mkdtempSync(join(tmpdir(), 'baton-bin-'));
    writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'baton'), 0o755);
    await startService('tasks', ns.env);
    const gateway = await startService('gateway', { ...ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET });
    await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: gateway.url });
    await startService('runner', {
      ...ns.env,
      PATH: `${bin}:${agentBin}:${process.env.PATH ?? ''}`,
      BATON_RUNNER_ID: `e2e-claude-${process.pid}`,
      BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-runner-data-')),
      BATON_RUNNER_CAPACITY: '2',
      BATON_RUNNER_HEARTBEAT_MS: '1000',
    });
    env = cleanEnv({ BATON_API_URL: gateway.url, BATON_TOKEN: ns.token });
  }, 600_000);
  afterAll(async () => {
    await fake?.close();
    await ns?.cleanup();
  });

  it('asks permission, is answered, works, commits, goes idle, takes a follow-up, stops whole and resumes its conversation in a new session', async () => {
    const repo = tempRepo('unused');
    const projectId = json<{ id: string }>(
      await ok('project', 'create', '--name', 'claude-e2e', '--repo', repo, '--branch', 'main', '--env', `ANTHROPIC_BASE_URL=${fake.url}`, '--env', 'ANTHROPIC_API_KEY=sk-ant-api03-e2e-not-a-real-key-0123456789abcdef', '--json'),
    ).id;
    const taskId = json<{ id: string }>(await ok('task', 'create', projectId, '--title', 'Say hello', '--json')).id;
    const attemptId = json<{ id: string }>(await ok('task', 'start-attempt', taskId, '--json')).id;
    const sessionId = json<{ id: string }>(await ok('session', 'spawn', '--template', 'claude-code', '--attempt', attemptId, '--prompt', 'Please do TURN-ONE.', '--json')).id;

    // ask mode: the Write is a permission prompt, shown as needs_input naming the tool.
    const asked = await until(sessionId, (s) => s.status === 'needs_input', 'the Write permission prompt');
    expect(asked.statusReason).toMatch(/Write: .*hello\.txt/);
    await ok('session', 'approve', sessionId);
    const bash = await until(sessionId, (s) => s.status === 'needs_input' && /Bash/.test(s.statusReason ?? ''), 'the Bash permission prompt');
    expect(bash.statusReason).toMatch(/git add hello\.txt/);
    await ok('session', 'approve', sessionId);
    const idle = await until(sessionId, (s) => s.status === 'idle' && (s.usage?.inputTokens ?? 0) > 0, 'the end of the turn with its usage');
    expect(idle.usage!.outputTokens).toBeGreaterThan(0);
    expect(idle.usage!.costUsd).toBeGreaterThan(0);

    const worktree = json<{ worktreePath: string | null }>(await ok('attempt', 'show', attemptId, '--json')).worktreePath!;
    expect(git(worktree, 'log', '--format=%s|%an', '-1')).toBe('add hello|Baton Agent');
    expect(readFileSync(join(worktree, 'hello.txt'), 'utf8')).toBe('hello from the agent\n');

    // A follow-up is typed AND submitted; a turn that ends in a question waits for a person.
    await ok('attempt', 'follow-up', attemptId, 'Now TURN-TWO please');
    const question = await until(sessionId, (s) => s.status === 'needs_input' && /color/.test(s.statusReason ?? ''), 'the question');
    expect(question.statusReason).toContain('Which color do you prefer?');

    await ok('session', 'stop', sessionId);
    await until(sessionId, (s) => s.status === 'stopped', 'the stop');
    await eventually(async () => processesOf(sessionId).length === 0, 15_000, 'every process of the session to be gone');

    // No session runs: a follow-up starts one that resumes the same conversation.
    const resumed = json<{ sessionId: string }>(await ok('attempt', 'follow-up', attemptId, 'TURN-THREE now', '--template', 'claude-code', '--json')).sessionId;
    expect(resumed).not.toBe(sessionId);
    await until(resumed, (s) => s.status === 'idle' && (s.usage?.inputTokens ?? 0) > 0, 'the resumed turn');
    const turnThree = fake.requests.filter((r) => r.view?.userTexts.some((t) => t.includes('TURN-THREE'))).pop();
    expect(turnThree?.view?.userTexts.some((t) => t.includes('TURN-ONE'))).toBe(true);
    expect(turnThree?.view?.userTexts.some((t) => t.includes('TURN-TWO'))).toBe(true);
    await ok('session', 'stop', resumed);
    await eventually(async () => processesOf(resumed).length === 0, 15_000, 'every process of the resumed session to be gone');
  }, 420_000);
});
