import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAgentToken } from '@baton/agent-auth';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { cleanEnv, json, runCli, runCliOk, type Ran } from '../cli/baton-cli';
import { AgentProcess, batonBinDir, tempRepo } from './agent-process';

const AGENT_SECRET = 'e2e-agents-token-secret-0123456789abcdef';
const RUNNER_SECRET = 'e2e-agents-runner-secret-0123';

interface SessionView {
  id: string;
  status: string;
  taskIds: string[];
  attemptId: string | null;
  projectId: string;
  role: 'worker';
  items: { taskId: string; status: string }[];
}

/*
 * The whole product: tasks, sessions, gateway and a real runner that starts the built-in
 * `baton-demo-agent` template in a PTY in the attempt's worktree. The operator drives it
 * with the built `baton`; the agent reports with its own session token.
 */
describe('the demo agent on a real stack', () => {
  let ns: TestNamespace;
  let env: Record<string, string>;
  let apiUrl: string;
  const ok = (...args: string[]): Promise<Ran> => runCliOk(args, env);
  const show = async (id: string) => json<SessionView>(await ok('session', 'show', id, '--json'));

  beforeAll(async () => {
    ns = await createTestNamespace();
    // The runner starts `baton demo-agent` from PATH: the built CLI.
    const bin = batonBinDir();
    await startService('tasks', ns.env);
    // The gateway may ask the runner for its screens (the secret both share), as in production.
    const gateway = await startService('gateway', { ...ns.env, BATON_RUNNER_SECRET: RUNNER_SECRET });
    apiUrl = gateway.url;
    await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: AGENT_SECRET, BATON_PUBLIC_API_URL: gateway.url });
    await startService('runner', {
      ...ns.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      BATON_RUNNER_ID: 'e2e-agents',
      BATON_DATA_DIR: mkdtempSync(join(tmpdir(), 'baton-runner-data-')),
      BATON_RUNNER_CAPACITY: '4',
      BATON_RUNNER_SECRET: RUNNER_SECRET,
      BATON_RUNNER_HEARTBEAT_MS: '1000',
    });
    env = cleanEnv({ BATON_API_URL: gateway.url, BATON_TOKEN: ns.token });
  }, 120_000);
  afterAll(() => ns?.cleanup());

  it('asks in its terminal, takes an answer sent by an operator, commits on the attempt branch and completes; baton report works with its token', async () => {
    const repo = tempRepo('unused');
    const projectId = json<{ id: string }>(await ok('project', 'create', '--name', 'agents-e2e', '--repo', repo, '--branch', 'main', '--json')).id;
    const taskId = json<{ id: string }>(
      await ok('task', 'create', projectId, '--title', 'Pick a colour', '--description', '[needs-input: Red or blue?] [fast]', '--criterion', 'the colour is written down', '--json'),
    ).id;
    const attemptId = json<{ id: string }>(await ok('task', 'start-attempt', taskId, '--json')).id;
    const sessionId = json<{ id: string }>(await ok('session', 'spawn', '--template', 'baton-demo-agent', '--attempt', attemptId, '--json')).id;

    const asking = await eventually(async () => {
      const s = await show(sessionId);
      if (['failed', 'stopped', 'completed'].includes(s.status)) throw new Error(`session ${sessionId} ended ${s.status} before asking`);
      return s.status === 'needs_input' ? s : null;
    }, 60_000, 'the agent to ask');
    expect(asking.attemptId).toBe(attemptId);

    // The agent's own token (as the sessions service mints it) reports on its session, and nowhere else.
    const agentToken = signAgentToken({ sessionId, projectId, attemptId, taskIds: [taskId], role: 'worker', parentSessionId: null }, AGENT_SECRET);
    const agentEnv = cleanEnv({ BATON_API_URL: apiUrl, BATON_TOKEN: agentToken, BATON_SESSION_ID: sessionId });
    const reported = await runCli(['report', 'milestone', 'checked', 'from', 'outside'], agentEnv);
    expect(reported).toMatchObject({ code: 0, stdout: 'reported milestone\n' });
    const elsewhere = await runCli(['report', 'milestone', 'not mine', '--session', 'someone-else'], agentEnv);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/own session/);

    await ok('session', 'send', sessionId, 'blue');
    const done = await eventually(async () => {
      const s = await show(sessionId);
      return ['completed', 'failed', 'stopped'].includes(s.status) ? s : null;
    }, 60_000, 'the session to end');
    expect(done.status).toBe('completed');
    expect(done.items).toEqual([{ taskId, status: 'completed' }]);

    const logs = (await ok('session', 'logs', sessionId)).stdout;
    expect(logs).toMatch(/needs_input +Red or blue\?/);
    expect(logs).toMatch(/milestone +checked from outside/);
    expect(logs).toMatch(/milestone +committed [0-9a-f]{10} on \S+: baton-demo\/pick-a-colour\.md/);
    expect(logs).toMatch(/progress +\[█+\] 100%/);
    expect(logs).toMatch(/task_completed/);

    const transcript = (await ok('session', 'export', sessionId, '--format', 'md')).stdout;
    expect(transcript.length).toBeGreaterThan(0);
    const cast = (await ok('session', 'export', sessionId, '--format', 'cast')).stdout;
    expect(JSON.parse(cast.split('\n')[0])).toMatchObject({ version: 2 });
    expect(cast).toContain('Red or blue?');
  }, 150_000);

  it('attaches a terminal over the live socket: sees the question, types the answer, follows to the end; Ctrl-] detaches', async () => {
    const repo = tempRepo('unused');
    const projectId = json<{ id: string }>(await ok('project', 'create', '--name', 'attach-e2e', '--repo', repo, '--branch', 'main', '--json')).id;
    const taskId = json<{ id: string }>(await ok('task', 'create', projectId, '--title', 'Shape', '--description', '[needs-input: Which shape?] [fast]', '--json')).id;
    const attemptId = json<{ id: string }>(await ok('task', 'start-attempt', taskId, '--json')).id;
    const sessionId = json<{ id: string }>(await ok('session', 'spawn', '--template', 'baton-demo-agent', '--attempt', attemptId, '--json')).id;
    await eventually(async () => (await show(sessionId)).status === 'needs_input', 60_000, 'the agent to ask');

    const watcher = new AgentProcess(repo, env, ['session', 'attach', sessionId, '--read-only']);
    await watcher.waitFor('Which shape?');
    watcher.type('\u001d');
    expect(await watcher.exit()).toBe(0);
    expect(watcher.stderr).toContain(`detached from session ${sessionId}`);
    expect((await show(sessionId)).status).toBe('needs_input');

    const attached = new AgentProcess(repo, env, ['session', 'attach', sessionId]);
    await attached.waitFor('Which shape?');
    attached.type('circle\r');
    expect(await attached.exit()).toBe(0);
    expect(attached.stdout).toContain('got an answer: circle');
    expect(attached.stderr).toMatch(/session \S+ ended: completed/);
    expect((await show(sessionId)).status).toBe('completed');
  }, 150_000);
});
