import { RunnerStartSchema, registry } from '@baton/events';
import { createTestNamespace, eventually, startService, type TestNamespace } from '@baton/testing';
import { agentTokenPublicKey, verifyAgentToken } from '../launch/agent-token';
import { id, SessionsHarness, spec, TEST_SECRET } from './__tests__/sessions-harness';

const command = (type: string) => registry.command(type)!;

describe('a task attempt started with a session template (tasks + sessions services)', () => {
  let ns: TestNamespace;
  let h: SessionsHarness;
  const services: Awaited<ReturnType<typeof startService>>[] = [];

  beforeAll(async () => {
    ns = await createTestNamespace();
    services.push(await startService('tasks', ns.env, { name: 'tasks' }));
    services.push(await startService('sessions', { ...ns.env, BATON_AGENT_TOKEN_SECRET: TEST_SECRET }, { name: 'sessions' }));
    h = await SessionsHarness.open(ns);
    await h.waitUntilServing();
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await h?.close();
    await ns?.cleanup();
  });

  it('opens its session, places it, and starts it in the attempt’s worktree with its task, prompt and a token for both', async () => {
    const projectId = id('p');
    const taskId = id('t');
    const attemptId = id('a');
    const templateId = id('tpl');
    const pool = { pool: id('pool') };
    await h.ok(command('project.create'), { projectId, name: 'Web shop', repository: { location: '/srv/shop', defaultBranch: 'main' } });
    await h.ok(command('task.create'), { projectId, taskId, title: 'Fix checkout $(rm -rf ~)', description: 'The total is wrong', acceptanceCriteria: ['totals add up'] });
    await h.ok(command('session_template.define'), { templateId, projectId, spec: spec({ runnerLabels: pool }) });
    await h.ok(command('task.start_attempt'), { projectId, taskId, attemptId, sessionTemplateId: templateId });
    await h.ok(command('task.add_attempt_message'), { taskId, attemptId, role: 'user', kind: 'prompt', text: 'Make the totals add up.' });
    const sessions = await eventually(
      async () => {
        const page = await h.queries.ask<{ items: { id: string; status: string }[] }>('sessions', 'list_sessions', { attemptId });
        return page.items.length ? page.items : null;
      },
      15_000,
      'the attempt’s session',
    );
    const sessionId = sessions[0].id;
    await h.status(sessionId, 'pending');

    const runner = await h.runner(id('r'), 1, pool);
    const { data: start } = await runner.next('start', sessionId, 15_000);
    expect(RunnerStartSchema.safeParse(start).success).toBe(true);
    expect(start.workspace).toMatchObject({ kind: 'attempt', attemptId, taskId, baseBranch: 'main' });
    expect((start.workspace as { branch: string }).branch).toBeTruthy();
    expect(start.launch.env.BATON_TASK_TITLE).toBe('Fix checkout $(rm -rf ~)');
    const manifest = start.launch.files.find((f) => f.exportAs === 'BATON_MANIFEST_JSON')!;
    expect(JSON.parse(manifest.content)).toMatchObject({ tasks: [{ id: taskId, title: 'Fix checkout $(rm -rf ~)' }] });
    expect(start.launch.files.find((f) => f.exportAs === 'BATON_PROMPT_FILE')?.content).toContain('Make the totals add up.');
    const verdict = verifyAgentToken(start.launch.env.BATON_TOKEN, agentTokenPublicKey(TEST_SECRET), new Date().toISOString());
    expect(verdict).toMatchObject({ ok: true, claims: { sessionId, projectId, attemptId, taskIds: [taskId] } });
  });
});
