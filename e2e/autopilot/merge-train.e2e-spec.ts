import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AutopilotStatus, MergeTrainStatus, SessionView } from '@baton/contracts';
import { readCommandResults, readLog } from '../sessions/harness/log';
import { eventually, ofProject } from './harness';
import { git, projectRepo, Stack } from '../sessions/harness/stack';
import { CLI, launchBrowser, SHOTS } from '../web/stack';

/*
 * The merge train on real processes (issue #14, docs/decisions/0030): tasks, sessions, gateway
 * and two runner processes, real git, the demo agent. The project's repository is bare, so the
 * train's batch refs and every landing are pushed where all runners fetch from.
 */

jest.setTimeout(600_000);

describe('merge train: completed attempts land in order, checked, conflicts back to the agent', () => {
  let stack: Stack;
  let templateId: string;

  beforeAll(async () => {
    stack = await Stack.start({ runners: [{ id: 'mt-1', capacity: 3 }, { id: 'mt-2', capacity: 3 }] });
    const builtIn = await stack.api.get<{ spec: Record<string, unknown> & { argv: string[] } }>('/api/session-templates/baton-demo-agent');
    const t = await stack.api.defineTemplate(null, {
      ...builtIn.spec,
      name: 'Quick demo agent',
      argv: ['env', 'BATON_DEMO_STEP_MS=200', ...builtIn.spec.argv],
      restart: { mode: 'never', backoffMs: 1_000, maxBackoffMs: 1_000, maxRestarts: 0, resetAfterMs: null },
    });
    templateId = t.id;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const train = (projectId: string) => stack.api.get<MergeTrainStatus>(`/api/projects/${projectId}/merge-train`, { minSeq: stack.api.lastSeq });
  const autopilot = (projectId: string) => stack.api.get<AutopilotStatus>(`/api/projects/${projectId}/autopilot`, { minSeq: stack.api.lastSeq });
  const sessionsOf = async (projectId: string) => (await stack.api.get<{ items: SessionView[] }>('/api/sessions', { projectId, limit: 1_000 })).items;
  const explain = (projectId: string) => async () => {
    const log = ofProject(await readLog(stack.ns), projectId);
    const refused = (await readCommandResults(stack.ns)).filter((r) => r.status === 'rejected');
    const sessions = await sessionsOf(projectId);
    return [
      ...log.slice(-50).map((e) => `  log ${e.type} ${JSON.stringify(e.data).slice(0, 200)}`),
      ...refused.slice(-10).map((r) => `  refused ${JSON.stringify(r).slice(0, 300)}`),
      ...sessions.map((x) => `  session ${x.id} ${x.origin?.kind ?? ''} attempt=${x.attemptId} ${x.status} runner=${x.runnerId ?? x.lastRunnerId} ${x.endedReason ?? x.statusReason ?? ''}`),
    ].join('\n');
  };

  async function project(name: string, trainSettings: Record<string, unknown>) {
    const repo = projectRepo(stack, { bare: true });
    const projectId = await stack.api.createProject(name, repo.location);
    const configured = await stack.api.request('PATCH', `/api/projects/${projectId}/merge-train`, { body: trainSettings, query: { minSeq: stack.api.lastSeq } });
    expect(configured.status).toBe(200);
    return { projectId, repo, initial: git(repo.location, 'rev-parse', 'main') };
  }
  const switchOn = async (projectId: string) => {
    const on = await stack.api.request('PATCH', `/api/projects/${projectId}/autopilot`, {
      body: { enabled: true, sessionTemplateId: templateId, plannerTemplateId: templateId, maxAttempts: 1, onSuccess: 'merge' },
      query: { minSeq: stack.api.lastSeq },
    });
    expect(on.status).toBe(200);
  };

  it('three attempts editing the same file land in order, each checked; the one that conflicts goes back to its agent, which fixes it', async () => {
    const { projectId, repo, initial } = await project('Train: three writers', { checkCommand: 'test -d baton-demo && ! grep -rq "^<<<<<<<" .', maxBatch: 2, maxFixRounds: 2 });
    const ids = [await stack.api.createTask(projectId, 'Writer A [conflict]'), await stack.api.createTask(projectId, 'Writer B [conflict]'), await stack.api.createTask(projectId, 'Writer C')];
    await switchOn(projectId);

    await eventually(async () => (await autopilot(projectId)).tasks.every((t) => t.status === 'done'), 300_000, 'all three tasks done (landed)', explain(projectId));

    const log = ofProject(await readLog(stack.ns), projectId);
    const landed = log.filter((e) => e.type === 'project.merge_train_batch_ended' && e.data.outcome === 'landed');
    const returned = log.filter((e) => e.type === 'project.merge_train_car_returned');
    const checks = log.filter((e) => e.type === 'project.merge_train_check_finished');
    // Exactly one of the two writers of SHARED.md conflicted with the other's landed work, and went back to its agent.
    expect(returned.map((e) => e.data)).toEqual([expect.objectContaining({ why: 'conflict', files: ['baton-demo/SHARED.md'], round: 1, toPerson: false })]);
    const fixedAttempt = returned[0].data.attemptId as string;
    // Its agent's follow-up session ran in the same attempt and completed; then the attempt joined again and landed.
    const sessions = await sessionsOf(projectId);
    const inAttempt = sessions.filter((x) => x.attemptId === fixedAttempt);
    expect(inAttempt.map((x) => x.status)).toEqual(['completed', 'completed']);
    const joins = log.filter((e) => e.type === 'project.merge_train_joined' && e.data.attemptId === fixedAttempt);
    expect(joins).toHaveLength(2);
    // Every landing was checked first, by a check session that passed; no batch landed without one.
    expect(checks.length).toBeGreaterThanOrEqual(landed.length);
    expect(checks.filter((e) => e.data.passed)).toHaveLength(landed.length);
    const checkSessions = sessions.filter((x) => x.origin?.kind === 'merge_check');
    expect(checkSessions.length).toBe(checks.length);
    expect(checkSessions.every((x) => ['exited', 'succeeded'].includes(x.status))).toBe(true);

    // main moved only by fast-forwards of checked results: its history is initial + one commit per task, in landing order.
    const history = git(repo.location, 'log', '--format=%s', '--first-parent', `${initial}..main`).split('\n').reverse();
    expect(history).toHaveLength(3);
    const landedTasks = log.filter((e) => e.type === 'project.autopilot_merged').map((e) => e.data.taskId as string);
    expect(new Set(landedTasks)).toEqual(new Set(ids));
    expect(history.map((subject, i) => subject.includes(`(task ${landedTasks[i]})`))).toEqual([true, true, true]);
    const shared = git(repo.location, 'show', 'main:baton-demo/SHARED.md');
    expect(shared).not.toMatch(/^(<{7}|={7}|>{7})/m);
    expect(git(repo.location, 'for-each-ref', 'refs/baton-train')).toBe('');

    // What a person reads: `baton merge-train status`, and the train on the autopilot page.
    const status = await train(projectId);
    expect(status.trains).toEqual([expect.objectContaining({ target: 'main', batch: null, cars: [], returned: [] })]);
    const printed = execFileSync(process.execPath, [CLI, 'merge-train', 'status', projectId], {
      env: { ...process.env, BATON_API_URL: stack.gatewayUrl, BATON_TOKEN: stack.ns.token, BATON_CONFIG: join(stack.tempDir('cli'), 'config.json') },
      encoding: 'utf8',
    });
    expect(printed).toContain('merge train — squash, check: "test -d baton-demo');
    expect(printed).toMatch(/batch \d+ landed at [0-9a-f]{12}/);
  });

  it('a failing check keeps the target untouched: the car goes back to its agent, then to a person', async () => {
    const { projectId, repo, initial } = await project('Train: failing check', { checkCommand: 'echo "3 tests failed"; exit 1', maxFixRounds: 1 });
    const task = await stack.api.createTask(projectId, 'Break the build');
    await switchOn(projectId);

    const s = await eventually(async () => {
      const st = await autopilot(projectId);
      return st.needsInput.length ? st : null;
    }, 240_000, 'the car handed to a person after its fix round', explain(projectId));
    expect(git(repo.location, 'rev-parse', 'main')).toBe(initial);
    expect(s.needsInput).toEqual([expect.objectContaining({ taskId: task, into: 'main', message: expect.stringMatching(/the check failed [\s\S]*exit code 1[\s\S]*after 1 fix round; at most 1/) })]);
    expect(s.tasks.find((t) => t.taskId === task)?.status).toBe('in_review');

    const log = ofProject(await readLog(stack.ns), projectId);
    const returned = log.filter((e) => e.type === 'project.merge_train_car_returned').map((e) => e.data);
    expect(returned).toEqual([expect.objectContaining({ why: 'check_failed', round: 1, toPerson: false }), expect.objectContaining({ why: 'check_failed', round: 2, toPerson: true })]);
    // What the agent and the person are told carries the end of the check's output.
    expect(returned[0].message).toMatch(/exit code 1; the end of its output:\n[\s\S]*3 tests failed/);
    expect(log.some((e) => e.type === 'project.merge_train_step_requested' && e.data.step === 'land')).toBe(false);

    // The failed check is a session like any: its output is kept, to watch or replay.
    const checkSessionId = returned[0].checkSessionId as string;
    const check = await stack.api.get<SessionView>(`/api/sessions/${checkSessionId}`);
    expect(check).toMatchObject({ status: 'exited', origin: { kind: 'merge_check' } });
    const recording = await eventually(async () => {
      const r = await stack.api.get<{ content: string }>(`/api/sessions/${checkSessionId}/export`, { format: 'cast' });
      return r.content.includes('3 tests failed') ? r.content : null;
    }, 30_000, "the check's output in its recording");
    expect(recording.split('\n')[0]).toContain('"version":2');
    // The agent was told, in a follow-up of its own attempt.
    const attemptSessions = (await sessionsOf(projectId)).filter((x) => x.attemptId);
    expect(attemptSessions).toHaveLength(2);

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${stack.gatewayUrl}/projects/${projectId}/autopilot`);
      await page.getByLabel('Access token').fill(stack.ns.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('merge-train-returned').waitFor();
      expect(await page.getByTestId('merge-train-returned').textContent()).toContain('back to a person (check failed, round 2');
      expect(await page.getByTestId('merge-train-settings').textContent()).toContain('echo "3 tests failed"; exit 1');
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'merge-train.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
