import { anthropicMessages, eventually } from '@baton/testing';
import { json, runCliOk } from '../cli/baton-cli';
import { git, tempRepo } from './agent-process';
import { startAgentStack, type AgentStack } from './agent-stack';

/*
 * Issue #11, item 9: the autopilot runs a small DAG with the built-in `claude-code` template —
 * the real Claude Code CLI in a real PTY — against the scripted fake model, and nobody answers
 * anything. The autopilot asks for `auto` permission mode, so no write or command waits for a
 * person. Each task's turn does what a model reading its manifest does: write, commit, then
 * `baton report status completed` (the manifest's "all your work is done" row).
 */

interface AutopilotTask {
  taskId: string;
  title: string;
  status: string;
  attempts: number;
  failures: number;
}

const TASKS = ['ALPHA', 'BETA', 'GAMMA'] as const;

/** One task's turn, picked by the task's heading in the manifest (`### 1. <title>`), not by a mention elsewhere. */
const turnFor = (name: (typeof TASKS)[number]) => ({
  match: new RegExp(`### 1\\. TASK-${name}\\b`),
  steps: [
    { kind: 'write' as const, path: `${name.toLowerCase()}.txt`, content: `${name} was here\n` },
    { kind: 'shell' as const, command: `git add ${name.toLowerCase()}.txt && git commit -q -m "task ${name}" && baton report status completed "${name} done"` },
  ],
  reply: `TASK-${name} is done.`,
  usage: { input: 800, output: 120 },
});

describe('autopilot with the real Claude Code, unattended', () => {
  let stack: AgentStack;
  const ok = (...args: string[]) => runCliOk(args, stack.env);

  beforeAll(async () => {
    stack = await startAgentStack('claude-code', anthropicMessages, { turns: TASKS.map(turnFor) }, { capacity: 2 });
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('runs a three-task DAG to done: each task in its own attempt, in dependency order, merged into main', async () => {
    const repo = tempRepo('unused'); // main is not checked out, so merges can be pushed to it
    const keys = ['--env', `ANTHROPIC_BASE_URL=${stack.fake.url}`, '--env', 'ANTHROPIC_API_KEY=sk-ant-api03-e2e-not-a-real-key-0123456789abcdef'];
    const projectId = json<{ id: string }>(await ok('project', 'create', '--name', 'autopilot-claude', '--repo', repo, '--branch', 'main', ...keys, '--json')).id;
    const create = async (name: string, dependsOn?: string) =>
      json<{ id: string }>(await ok('task', 'create', projectId, '--title', `TASK-${name}`, ...(dependsOn ? ['--depends-on', dependsOn] : []), '--json')).id;
    const alpha = await create('ALPHA');
    const beta = await create('BETA', alpha);
    const gamma = await create('GAMMA', alpha);

    await ok('autopilot', 'on', projectId, '--template', 'claude-code', '--max-attempts', '1', '--on-success', 'merge');

    const status = async () => json<{ tasks: AutopilotTask[]; needsInput: unknown[] }>(await ok('autopilot', 'status', projectId, '--json'));
    const done = await eventually(
      async () => {
        const s = await status();
        if (s.tasks.some((t) => t.status === 'failed' || t.status === 'blocked')) throw new Error(`a task did not make it: ${JSON.stringify(s.tasks)}`);
        return s.tasks.length === 3 && s.tasks.every((t) => t.status === 'done') ? s : null;
      },
      240_000,
      'every task done',
    );
    expect(done.tasks.map((t) => [t.title, t.attempts, t.failures])).toEqual(TASKS.map((n) => [`TASK-${n}`, 1, 0]));
    expect(done.needsInput).toEqual([]);

    // Every agent's commit is on main, and the dependants branched after ALPHA was merged.
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual(expect.arrayContaining(['alpha.txt', 'beta.txt', 'gamma.txt']));
    for (const task of [beta, gamma]) {
      const attempt = json<{ items: { baseCommit: string | null }[] }>(await ok('attempt', 'list', task, '--json')).items[0];
      expect(git(repo, 'ls-tree', '--name-only', attempt.baseCommit!)).toContain('alpha.txt');
    }

    // Nobody was asked anything: no session of the project ever needed input.
    const sessions = json<{ items: { id: string; status: string; templateId: string }[] }>(await ok('session', 'list', '--project', projectId, '--json')).items;
    expect(sessions).toHaveLength(3);
    expect(sessions.every((x) => x.templateId === 'claude-code' && x.status === 'completed')).toBe(true);
    for (const x of sessions) {
      const timeline = (await ok('session', 'logs', x.id)).stdout;
      expect(timeline).not.toMatch(/needs.input/i);
    }
  }, 360_000);
});
