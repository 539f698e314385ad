import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess, git, tempRepo, writeManifest, type ManifestSpec } from './agent-process';
import { StandInBaton } from './stand-in-baton';

/*
 * `baton demo-agent` as a runner starts it: the built binary, spawned directly, in a git
 * worktree, with a manifest and BATON_* variables, against a stand-in for the gateway's
 * session routes that records every call.
 */
describe('baton demo-agent', () => {
  let baton: StandInBaton;
  const TOKEN = 'bat_s.test-token';

  beforeEach(async () => {
    baton = new StandInBaton();
    await baton.start();
  });
  afterEach(() => baton.stop());

  function start(spec: ManifestSpec, opts: { repo?: string; env?: Record<string, string> } = {}) {
    const branch = spec.attempt?.branch ?? 'baton/demo';
    const repo = opts.repo ?? tempRepo(branch);
    if (!baton.sessions.has(spec.session.id)) {
      baton.addSession({ id: spec.session.id, role: spec.session.role ?? 'worker', strategy: spec.session.strategy ?? 'simple', taskIds: spec.tasks.map((t) => t.id), attemptId: spec.attempt?.id ?? null });
    }
    for (const t of spec.tasks) if (!baton.tasks.has(t.id)) baton.addTask(t);
    const agent = new AgentProcess(repo, {
      BATON_API_URL: baton.url,
      BATON_TOKEN: TOKEN,
      BATON_SESSION_ID: spec.session.id,
      BATON_PROJECT_ID: 'P1',
      BATON_MANIFEST: writeManifest(spec, baton.url),
      BATON_DEMO_STEP_MS: '0',
      BATON_DEMO_POLL_MS: '50',
      ...opts.env,
    });
    return { agent, repo };
  }

  const attempt = (n = 1) => ({ id: `A${n}`, branch: `baton/login-a${n}`, baseBranch: 'main' });

  it('works its tasks on its branch: a file and a commit per task, reported in order', async () => {
    const { agent, repo } = start({
      session: { id: 'S1' },
      attempt: attempt(),
      tasks: [
        { id: 'T1', title: 'Add the login form', description: 'Email and password.', acceptanceCriteria: ['it renders', 'it submits'] },
        { id: 'T2', title: 'Add logout' },
      ],
    });
    expect(await agent.exit()).toBe(0);

    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('baton/login-a1');
    expect(git(repo, 'log', '--format=%s|%an', 'main..HEAD').split('\n')).toEqual(['baton-demo: Add logout|Baton demo agent', 'baton-demo: Add the login form|Baton demo agent']);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const doc = readFileSync(join(repo, 'baton-demo/add-the-login-form.md'), 'utf8');
    expect(doc).toContain('> Email and password.');
    expect(doc).toContain('- [x] it renders');
    expect(doc).toContain('- [x] it submits');
    expect(git(repo, 'show', '--stat', '--format=', 'HEAD~1')).toContain('baton-demo/add-the-login-form.md');

    expect(baton.story('S1')).toEqual([
      'register',
      'report task_started T1',
      'report progress T1 0.25',
      'report progress T1 0.5',
      'report progress T1 0.75',
      'report milestone T1',
      'report progress T1 1',
      'usage',
      'report task_completed T1',
      'report task_started T2',
      'report progress T2 0.25',
      'report progress T2 0.5',
      'report progress T2 0.75',
      'report milestone T2',
      'report progress T2 1',
      'usage',
      'report task_completed T2',
      'status completed',
    ]);
    expect(baton.calls.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // Every report is resend-safe: its own idempotency key, kept across retries.
    const keys = baton.calls.filter((c) => c.method === 'POST').map((c) => c.idempotencyKey);
    expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    const milestone = baton.calls.find((c) => c.body?.kind === 'milestone');
    expect(milestone?.body?.message).toMatch(/^committed [0-9a-f]{10} on baton\/login-a1/);
    expect(baton.sessions.get('S1')!.status).toBe('completed');
    expect(agent.stdout).toContain('✓ completed T2');
  });

  it('asks for input, waits for a line typed into its terminal, and uses the answer', async () => {
    const { agent, repo } = start({ session: { id: 'S2' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Theme', description: '[needs-input: Which colour, red or blue?]' }] });
    await agent.waitFor('? Which colour, red or blue?');
    expect(baton.calls.find((c) => c.body?.kind === 'needs_input')?.body).toMatchObject({ message: 'Which colour, red or blue?', taskId: 'T1' });
    expect(baton.sessions.get('S2')!.status).toBe('needs_input');
    // It waits: nothing more happens until someone answers.
    const before = baton.calls.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(baton.calls.length).toBe(before);
    expect(agent.child.exitCode).toBeNull();

    agent.type('blue, please\n');
    expect(await agent.exit()).toBe(0);
    expect(agent.stdout).toContain('got an answer: blue, please');
    expect(baton.story('S2').slice(-5)).toEqual(['report milestone T1', 'report progress T1 1', 'usage', 'report task_completed T1', 'status completed']);
    expect(baton.story('S2')).toContain('status working');
    expect(readFileSync(join(repo, 'baton-demo/theme.md'), 'utf8')).toMatch(/## Answer\n\n> Which colour, red or blue\?\n\nblue, please/);
  });

  it('fails a [fail] task and the session, exits 1, commits nothing for it', async () => {
    const { agent, repo } = start({ session: { id: 'S3' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Break it [FAIL]' }, { id: 'T2', title: 'Still fine' }] });
    expect(await agent.exit()).toBe(1);
    const story = baton.story('S3');
    expect(story).toContain('report error T1');
    expect(story).toContain('report task_failed T1');
    expect(story).toContain('report task_completed T2');
    expect(story[story.length - 1]).toBe('status failed');
    expect(baton.calls.find((c) => c.path.endsWith('/status'))?.body?.message).toBe('1 of 2 tasks completed, 1 failed');
    expect(git(repo, 'log', '--format=%s', 'main..HEAD')).toBe('baton-demo: Still fine');
    expect(agent.stderr).toContain('baton: 1 of 2 tasks completed, 1 failed');
  });

  it('fails a [fail-once] task the first time (so the session restarts) and succeeds on the next run', async () => {
    const spec: ManifestSpec = { session: { id: 'S4' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Flaky [fail-once]' }] };
    const first = start(spec);
    expect(await first.agent.exit()).toBe(1);
    expect(baton.story('S4')).not.toContain('report task_failed T1');
    expect(baton.story('S4')).not.toContain('status failed');
    expect(git(first.repo, 'log', '--format=%s', 'main..HEAD')).toBe('baton-demo: Flaky failed once on purpose');

    // The restart runs in the same worktree, with the task still in progress.
    const second = start(spec, { repo: first.repo });
    expect(await second.agent.exit()).toBe(0);
    expect(second.agent.stdout).toContain('this time it works');
    expect(baton.story('S4').slice(-2)).toEqual(['report task_completed T1', 'status completed']);
  });

  it('spawns workers of its own through the spawn route and waits for them', async () => {
    baton.addTask({ id: 'T1', title: 'Split the work [spawn-workers:2] [fast]' });
    baton.addTask({ id: 'T11', title: 'Backend', parentId: 'T1' });
    const { agent } = start({ session: { id: 'S5', role: 'orchestrator' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Split the work [spawn-workers:2] [fast]' }] });
    expect(await agent.exit()).toBe(0);

    const spawns = baton.calls.filter((c) => c.method === 'POST' && c.path === '/api/sessions/S5/workers');
    expect(spawns.map((c) => c.body)).toEqual([
      expect.objectContaining({ templateId: 'baton-demo-agent', taskIds: ['T11'], strategy: 'simple' }),
      expect.objectContaining({ templateId: 'baton-demo-agent', taskIds: [], prompt: 'Worker 2 of 2 for "Split the work" [fast]' }),
    ]);
    expect([...baton.sessions.values()].filter((s) => s.parentSessionId === 'S5').map((s) => s.status)).toEqual(['completed', 'completed']);
    const progress = baton.calls.filter((c) => c.body?.kind === 'progress').map((c) => c.body?.message as string);
    expect(progress.filter((m) => /workers done/.test(m))).toEqual([expect.stringMatching(/^1\/2 workers done/), expect.stringMatching(/^2\/2 workers done/)]);
    expect(baton.story('S5').slice(-2)).toEqual(['report task_completed T1', 'status completed']);
  });

  it('fails the task when a worker fails', async () => {
    baton.workerOutcome = (n) => (n === 2 ? 'failed' : 'completed');
    const { agent } = start({ session: { id: 'S6', role: 'orchestrator' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Fan out [spawn-workers:2]' }] });
    expect(await agent.exit()).toBe(1);
    expect(baton.calls.find((c) => c.body?.kind === 'task_failed')?.body?.message).toBe('1 of 2 workers did not complete');
  });

  it('works a queue with queue next until it is empty', async () => {
    const { agent, repo } = start({ session: { id: 'S7', strategy: 'queue' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'First' }, { id: 'T2', title: 'Second [fail]' }, { id: 'T3', title: 'Third' }] });
    expect(await agent.exit()).toBe(1);
    const story = baton.story('S7');
    expect(story.filter((s) => s.startsWith('queue/'))).toEqual(['queue/next', 'queue/complete', 'queue/next', 'queue/fail', 'queue/next', 'queue/complete']);
    expect(story).not.toContain('report task_started T1');
    expect(baton.sessions.get('S7')!.items.map((i) => i.status)).toEqual(['completed', 'failed', 'completed']);
    // The drained queue completed the session: the agent does not report a status over it.
    expect(story.filter((s) => s.startsWith('status'))).toEqual([]);
    expect(git(repo, 'log', '--format=%s', 'main..HEAD').split('\n')).toEqual(['baton-demo: Third', 'baton-demo: First']);
  });

  it('creates the subtasks of a [plan] with their dependencies', async () => {
    const description = 'Plan:\n- Schema\n- API (after 1)\n- UI (after 1, 2)';
    const { agent } = start({ session: { id: 'S8', role: 'planner' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Shop [plan]', description }] });
    expect(await agent.exit()).toBe(0);
    const created = baton.calls.filter((c) => c.method === 'POST' && c.path === '/api/projects/P1/tasks').map((c) => c.body);
    expect(created).toEqual([
      { title: 'Schema', parentId: 'T1' },
      { title: 'API', parentId: 'T1', dependsOn: [{ taskId: 'T101', condition: 'success' }] },
      { title: 'UI', parentId: 'T1', dependsOn: [{ taskId: 'T101', condition: 'success' }, { taskId: 'T102', condition: 'success' }] },
    ]);
    expect(baton.calls.find((c) => c.body?.kind === 'milestone')?.body?.message).toBe('planned 3 subtasks');
  });

  it('keeps a hostile title as data: no shell ever runs it', async () => {
    const { agent, repo } = start({ session: { id: 'S9' }, attempt: attempt(), tasks: [{ id: 'T1', title: '$(touch pwned) `touch pwned2`; touch pwned3' }] });
    expect(await agent.exit()).toBe(0);
    for (const f of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(repo, f))).toBe(false);
    expect(git(repo, 'log', '-1', '--format=%s')).toBe('baton-demo: $(touch pwned) `touch pwned2`; touch pwned3');
    expect(existsSync(join(repo, 'baton-demo/touch-pwned-touch-pwned2-touch-pwned3.md'))).toBe(true);
  });

  it('runs long with periodic progress, and rewrites the shared file for a later conflict', async () => {
    const { agent, repo } = start({ session: { id: 'S11' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Grind [slow:6] [conflict]' }] });
    const started = Date.now();
    expect(await agent.exit()).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_500);
    const progress = baton.calls.filter((c) => c.body?.kind === 'progress').map((c) => [c.body?.progress, c.body?.message]);
    expect(progress.filter(([, m]) => m === 'still working on "Grind"').length).toBeGreaterThanOrEqual(3);
    const fractions = progress.map(([p]) => p as number);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['baton-demo/SHARED.md', 'baton-demo/grind.md']);
    expect(readFileSync(join(repo, 'baton-demo/SHARED.md'), 'utf8')).toContain('"Grind" in session S11');
  });

  it('prints the quota line the template watches for and waits for "continue"', async () => {
    const { agent } = start({ session: { id: 'S12' }, attempt: attempt(), tasks: [{ id: 'T1', title: 'Spend [quota]' }] });
    await agent.waitFor('DEMO QUOTA REACHED, resets in 1 minute');
    await new Promise((r) => setTimeout(r, 300));
    expect(baton.story('S12')).not.toContain('report task_completed T1');
    agent.type('continue\r\n');
    expect(await agent.exit()).toBe(0);
    expect(baton.story('S12')).toContain('report task_completed T1');
  });

  it('exits 2 with a clear message when it has no manifest', async () => {
    const { agent } = start({ session: { id: 'S10' }, tasks: [] }, { env: { BATON_MANIFEST: '/nonexistent/manifest.json' } });
    expect(await agent.exit()).toBe(2);
    expect(agent.stderr).toMatch(/cannot read the manifest \/nonexistent\/manifest\.json/);
    expect(baton.calls).toEqual([]);
  });
});
