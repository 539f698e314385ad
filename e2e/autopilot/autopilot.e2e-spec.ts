import type { AutopilotStatus, SessionView } from '@baton/contracts';
import { sleep } from '@baton/testing';
import { readCommandResults, readLog } from '../sessions/harness/log';
import { eventually, ofProject, type ProjectEv as Ev } from './harness';
import { git, projectRepo, Stack } from '../sessions/harness/stack';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, launchBrowser, SHOTS } from '../web/stack';
import { execFileSync } from 'node:child_process';

/*
 * Autopilot on real processes (issue #7): tasks, sessions, gateway and THREE runner
 * processes; the demo agent does the work (no API key). The project's repository is a bare
 * one, so every merge is pushed where all runners branch from.
 */

jest.setTimeout(600_000);

describe('autopilot: a goal decomposed into a DAG and run across three runners', () => {
  let stack: Stack;
  let templateId: string;

  beforeAll(async () => {
    stack = await Stack.start({
      runners: [
        { id: 'ap-1', capacity: 3 },
        { id: 'ap-2', capacity: 3 },
        { id: 'ap-3', capacity: 3 },
      ],
    });
    // The demo agent, quick, without session restarts: a failure is the autopilot's to retry, as a NEW attempt.
    const builtIn = await stack.api.get<{ spec: Record<string, unknown> & { argv: string[] } }>('/api/session-templates/baton-demo-agent');
    const t = await stack.api.defineTemplate(null, {
      ...builtIn.spec,
      name: 'Quick demo agent',
      argv: ['env', 'BATON_DEMO_STEP_MS=250', ...builtIn.spec.argv],
      restart: { mode: 'never', backoffMs: 1_000, maxBackoffMs: 1_000, maxRestarts: 0, resetAfterMs: null },
    });
    templateId = t.id;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const status = (projectId: string) => stack.api.get<AutopilotStatus>(`/api/projects/${projectId}/autopilot`, { minSeq: stack.api.lastSeq });
  const explain = (projectId: string) => async () => {
    const s = await status(projectId);
    const sessions = await sessionsOf(projectId);
    const refused = (await readCommandResults(stack.ns)).filter((r) => r.status === 'rejected');
    const log = ofProject(await readLog(stack.ns), projectId);
    return [
      ...log.slice(-40).map((e) => `  log ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`),
      ...refused.slice(-20).map((r) => `  refused ${r.commandId}: ${JSON.stringify(r).slice(0, 300)}`),
      ...s.tasks.map((t) => `#${t.number} ${t.title} ${t.status} attempts=${t.attempts} failures=${t.failures} hold=${t.hold}`),
      ...s.decisions.slice(-25).map((d) => `  ${d.summary}`),
      ...sessions.map((x) => `  session ${x.id} attempt=${x.attemptId} ${x.status} runner=${x.runnerId ?? x.lastRunnerId} ${x.endedReason ?? x.statusReason}`),
    ].join('\n');
  };
  const sessionsOf = async (projectId: string) => (await stack.api.get<{ items: SessionView[] }>('/api/sessions', { projectId, limit: 1_000 })).items;

  async function switchOn(projectId: string, settings: Record<string, unknown> = {}) {
    const on = await stack.api.request('PATCH', `/api/projects/${projectId}/autopilot`, {
      body: { enabled: true, sessionTemplateId: templateId, plannerTemplateId: templateId, maxAttempts: 2, onSuccess: 'merge', ...settings },
      query: { minSeq: stack.api.lastSeq },
    });
    expect(on.status).toBe(200);
  }

  async function project(name: string, settings: Record<string, unknown> | null = {}) {
    const repo = projectRepo(stack, { bare: true });
    const projectId = await stack.api.createProject(name, repo.location);
    if (settings) await switchOn(projectId, settings);
    return { projectId, repo };
  }

  it('decomposes a goal into six tasks (a diamond and a chain), runs them in dependency order, two at once, and merges them all', async () => {
    // Planned first, then the autopilot switched on: a ready goal would otherwise start as one piece.
    const { projectId, repo } = await project('Autopilot DAG', null);
    const goal = await stack.api.createTask(projectId, 'Ship the feature', {
      executionMode: 'autonomous',
      description: ['Plan:', '- Scaffold', '- API [fail-once] (after 1)', '- UI (after 1)', '- Integrate (after 2, 3)', '- Docs (after 4)', '- Release (after 5)'].join('\n'),
    });
    const planner = await stack.api.post(`/api/tasks/${goal}/decompose`, { plannerTemplateId: templateId }, { minSeq: stack.api.lastSeq });
    await switchOn(projectId);

    await eventually(async () => (await status(projectId)).tasks.find((t) => t.taskId === goal)?.status === 'done', 240_000, 'the goal to be done', explain(projectId));

    const s = await status(projectId);
    const children = s.tasks.filter((t) => t.parentId === goal);
    expect(children.map((t) => t.title)).toEqual(['Scaffold', 'API [fail-once]', 'UI', 'Integrate', 'Docs', 'Release']);
    expect(children.every((t) => t.status === 'done')).toBe(true);

    const log = ofProject(await readLog(stack.ns), projectId);
    // The planner's decision, with its reason, is on the project's log.
    const planned = log.find((e) => e.type === 'project.task_planned');
    expect(planned?.data).toMatchObject({ taskId: goal, decision: 'decompose', sessionId: planner.id, children: children.map((c) => c.taskId) });
    expect(String(planned?.data.reason)).toContain('split into 6 steps');

    // Start order respects every dependency: a task's first attempt starts after all its dependencies are done.
    const seqOf = (type: string, match: (d: Record<string, unknown>) => boolean) => log.find((e) => e.type === type && match(e.data)) as (Ev & { seq: number }) | undefined;
    for (const t of children) {
      const started = seqOf('project.task_attempt_started', (d) => d.taskId === t.taskId);
      expect(started).toBeDefined();
      for (const dep of t.dependsOn) {
        const depDone = seqOf('project.task_status_changed', (d) => d.taskId === dep && d.to === 'done');
        expect({ task: t.title, startedAfterDependencyDone: started!.seq > (depDone?.seq ?? Infinity) }).toEqual({ task: t.title, startedAfterDependencyDone: true });
      }
    }

    // The fail-once task failed its first attempt and succeeded on a NEW attempt (its own branch).
    const api = children[1];
    expect({ attempts: api.attempts, failures: api.failures }).toEqual({ attempts: 2, failures: 1 });
    const apiAttempts = log.filter((e) => e.type === 'project.task_attempt_started' && e.data.taskId === api.taskId);
    expect(new Set(apiAttempts.map((e) => e.data.branch)).size).toBe(2);
    expect(log.find((e) => e.type === 'project.task_attempt_finished' && e.data.taskId === api.taskId)?.data).toMatchObject({ outcome: 'abandoned' });

    // At least two tasks ran at the same time, on more than one runner.
    const sessions = (await sessionsOf(projectId)).filter((x) => x.attemptId);
    const spans = sessions.map((x) => ({ from: Date.parse(x.createdAt), to: Date.parse(x.endedAt ?? new Date().toISOString()), runner: x.lastRunnerId ?? x.runnerId }));
    const overlapping = spans.some((a, i) => spans.some((b, j) => i < j && a.from < b.to && b.from < a.to));
    expect(overlapping).toBe(true);
    expect(new Set(spans.map((x) => x.runner)).size).toBeGreaterThanOrEqual(2);

    // Every task's work is on the project's main branch.
    const files = git(repo.location, 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(files.filter((f) => f.startsWith('baton-demo/') && f.endsWith('.md')).length).toBeGreaterThanOrEqual(6);

    // `baton autopilot status` has it all: nothing held, nothing waiting.
    expect(s.needsInput).toEqual([]);
    expect(s.tasks.every((t) => t.hold === null)).toBe(true);
    const printed = execFileSync(process.execPath, [CLI, 'autopilot', 'status', projectId, '--decisions', '100'], {
      env: { ...process.env, BATON_API_URL: stack.gatewayUrl, BATON_TOKEN: stack.ns.token, BATON_CONFIG: join(stack.tempDir('cli'), 'config.json') },
      encoding: 'utf8',
    });
    expect(printed).toContain('autopilot RUNNING');
    expect(printed).toMatch(/✔ #1 Ship the feature \[done\]\n {2}✔ #2 Scaffold \[done\] — attempt 1\n {2}✔ #3 API \[fail-once\] \[done\] — attempt 2, 1 failed/);
    expect(printed).toContain('plan: DECOMPOSE into 6 subtasks');

    // The console shows the same: the DAG, its state, its decisions.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${stack.gatewayUrl}/projects/${projectId}/autopilot`);
      await page.getByLabel('Access token').fill(stack.ns.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('autopilot-state').filter({ hasText: 'Running' }).waitFor();
      await eventually(async () => (await page.getByTestId('autopilot-task').count()) === 7, 15_000, 'seven rows');
      expect(await page.getByTestId('autopilot-decisions').textContent()).toContain('merged into main');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'autopilot-dag.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('fails a task that always fails after its attempts and blocks exactly its dependants; the rest runs', async () => {
    const { projectId } = await project('Autopilot failures');
    const bad = await stack.api.createTask(projectId, 'Broken build [fail]');
    const dependant = await stack.api.createTask(projectId, 'Deploy', { dependsOn: [{ taskId: bad }] });
    const further = await stack.api.createTask(projectId, 'Announce', { dependsOn: [{ taskId: dependant }] });
    const fine = await stack.api.createTask(projectId, 'Unrelated work');

    await eventually(
      async () => {
        const s = await status(projectId);
        const by = (id: string) => s.tasks.find((t) => t.taskId === id)!;
        return by(bad).status === 'failed' && by(fine).status === 'done' && by(dependant).status === 'blocked';
      },
      180_000,
      'the failing task to be given up and the unrelated one done',
      explain(projectId),
    );
    const s = await status(projectId);
    const by = (id: string) => s.tasks.find((t) => t.taskId === id)!;
    expect(by(bad)).toMatchObject({ attempts: 2, failures: 2, gaveUp: true });
    expect(by(dependant)).toMatchObject({ status: 'blocked', attempts: 0 });
    expect(by(further)).toMatchObject({ status: 'todo', attempts: 0 });
    expect(s.decisions.map((d) => d.summary).join('\n')).toMatch(/gave up: failed 2 attempts/);
  });

  it('raises a merge conflict as needs-input with the conflicting files, and holds that subtree (a train whose fixer is a person)', async () => {
    const { projectId } = await project('Autopilot conflict', null);
    const fixer = await stack.api.request('PATCH', `/api/projects/${projectId}/merge-train`, { body: { fixer: 'person' }, query: { minSeq: stack.api.lastSeq } });
    expect(fixer.status).toBe(200);
    await switchOn(projectId);
    const group = await stack.api.createTask(projectId, 'Two writers');
    const first = await stack.api.createTask(projectId, 'Writer one [conflict]', { parentId: group });
    const second = await stack.api.createTask(projectId, 'Writer two [conflict]', { parentId: group });

    // One decision's events are appended one after another: a read may fall between the
    // needs-input and the hold it decided with it, so wait for both.
    const s = await eventually(async () => {
      const st = await status(projectId);
      return st.needsInput.length && st.tasks.some((t) => t.hold === 'merge_conflict') ? st : null;
    }, 180_000, 'a needs-input from the conflict, and its hold', explain(projectId));
    // Whichever merged second conflicts with the first.
    const [loser] = s.needsInput;
    const winner = loser.taskId === first ? second : first;
    expect(s.needsInput).toEqual([expect.objectContaining({ taskId: expect.stringMatching(new RegExp(`^(${first}|${second})$`)), heldTaskId: group, into: 'main', files: ['baton-demo/SHARED.md'] })]);
    const by = (id: string) => s.tasks.find((t) => t.taskId === id)!;
    expect(by(winner).status).toBe('done');
    expect(by(loser.taskId)).toMatchObject({ status: 'in_review', hold: 'merge_conflict', heldBy: group });
    expect(s.decisions.map((d) => d.summary).join('\n')).toMatch(/NEEDS INPUT: baton\/\S+ conflicts with main in 1 file: baton-demo\/SHARED.md/);
  });

  it('stop-all pauses the autopilot, stops the sessions of its attempts and abandons them; resume starts them again', async () => {
    const { projectId } = await project('Autopilot stop-all', { maxAttempts: 3 });
    const tasks = [await stack.api.createTask(projectId, 'Long one [slow:90]'), await stack.api.createTask(projectId, 'Long two [slow:90]')];
    const ours = async () => (await status(projectId)).tasks.filter((t) => tasks.includes(t.taskId));
    const attemptSessions = async () => (await sessionsOf(projectId)).filter((x) => x.attemptId);
    const stopAll = () => stack.api.post(`/api/projects/${projectId}/autopilot/pause`, { reason: 'e2e stop-all', stopAll: true }, { minSeq: stack.api.lastSeq });
    await eventually(async () => (await attemptSessions()).filter((x) => x.status === 'working' || x.status === 'idle').length === 2, 90_000, 'both tasks running', explain(projectId));

    await stopAll();
    await eventually(async () => (await attemptSessions()).every((x) => ['stopped', 'failed', 'completed', 'exited'].includes(x.status)), 60_000, 'their sessions to end', explain(projectId));
    const paused = await status(projectId);
    expect(paused.state).toBe('paused');
    expect((await ours()).map((t) => ({ status: t.status, attempts: t.attempts, active: t.activeAttemptId }))).toEqual([
      { status: 'ready', attempts: 1, active: null },
      { status: 'ready', attempts: 1, active: null },
    ]);
    expect(paused.decisions.map((d) => d.summary)).toContain('stopped all: e2e stop-all');
    // Nothing starts while it is paused.
    await sleep(3_000);
    expect(await attemptSessions()).toHaveLength(2);

    await stack.api.post(`/api/projects/${projectId}/autopilot/resume`, {}, { minSeq: stack.api.lastSeq });
    await eventually(async () => (await ours()).every((t) => t.attempts === 2 && t.status === 'in_progress'), 90_000, 'both started again, on new attempts', explain(projectId));
    await stopAll(); // they would run for 90 s
  });

  it('loses no task when a runner is killed mid-run: the autopilot starts it again elsewhere', async () => {
    const { projectId } = await project('Autopilot runner loss', { maxAttempts: 3 });
    const task = await stack.api.createTask(projectId, 'Long job [slow:20]');
    const running = await eventually(async () => {
      const items = await sessionsOf(projectId);
      return items.find((x) => x.attemptId && x.runnerId && (x.status === 'working' || x.status === 'idle'));
    }, 60_000, 'the task running on a runner');
    const victim = stack.runner(running.runnerId!);
    await victim.kill9();
    try {
      await eventually(async () => (await status(projectId)).tasks.find((t) => t.taskId === task)?.status === 'done', 180_000, 'the task to be done after its runner died', explain(projectId));
      const sessions = (await sessionsOf(projectId)).filter((x) => x.attemptId);
      const finisher = sessions.find((x) => x.status === 'completed');
      expect(finisher?.lastRunnerId ?? finisher?.runnerId).not.toBe(victim.id);
    } finally {
      await victim.start();
    }
  });
});
