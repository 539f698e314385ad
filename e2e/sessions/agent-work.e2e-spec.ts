import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AttemptDiff, AttemptView, MergeResult, Page, SessionExport, SessionView, TaskView } from '@baton/contracts';
import { eventually } from '@baton/testing';
import { auditNamespace, checkLogOnce, checkSessionStory, ofSession, readLog, statusPath } from './harness/log';
import { git, projectRepo, Stack } from './harness/stack';
import { TerminalClient } from './harness/terminal';

/*
 * A demo agent does real work through the whole product: tasks, sessions, gateway and a
 * runner process that starts `baton demo-agent` (the built CLI) in a PTY in the attempt's
 * worktree. Everything is driven through REST with the namespace's admin token, and
 * through socket.io where a person types into the terminal.
 */
describe('demo agents working tasks end to end', () => {
  let stack: Stack;
  const worktreeOf = (attemptId: string) => join(stack.runner('work-1').dataDir, 'worktrees', attemptId);

  beforeAll(async () => {
    stack = await Stack.start({ runners: [{ id: 'work-1', capacity: 6 }] });
  }, 240_000);
  afterAll(() => stack?.stop(), 60_000);

  it('works a task in its attempt: commits on the branch, the diff shows it, a squash merge lands it on the base branch, the task is done', async () => {
    const { api } = stack;
    const repo = projectRepo(stack, { bare: true });
    const projectId = await api.createProject('review-e2e', repo.location);
    const taskId = await api.createTask(projectId, 'Add the greeting [fast]', { description: 'Say hello to the reviewers.', acceptanceCriteria: ['it greets'] });

    // The attempt names its session template: starting it starts the session in its seat.
    const attemptId = (await api.post(`/api/tasks/${taskId}/attempts`, { sessionTemplateId: 'baton-demo-agent' })).id;
    const sessionId = await eventually(async () => (await api.get<Page<SessionView>>('/api/sessions', { attemptId })).items[0]?.id, 20_000, "the attempt's session");

    const done = await api.waitStatus(sessionId, ['completed'], 60_000);
    expect(done).toMatchObject({ attemptId, taskIds: [taskId], lastRunnerId: 'work-1', restarts: 0, items: [{ taskId, status: 'completed' }] });
    const attempt = await eventually(async () => {
      const a = await api.get<AttemptView>(`/api/attempts/${attemptId}`);
      return a.status === 'in_review' ? a : null;
    }, 20_000, 'the attempt in review');

    // It ran in the attempt's worktree on the runner, on the attempt's branch, and committed there.
    const worktree = worktreeOf(attemptId);
    const recording = await api.get<SessionExport>(`/api/sessions/${sessionId}/export`, { format: 'cast' });
    expect(recording.content).toContain(`working in ${worktree} on ${attempt.branch}`);
    expect(git(worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(attempt.branch);
    expect(git(worktree, 'log', '--format=%s', 'main..HEAD')).toBe('baton-demo: Add the greeting');
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    const timeline = await api.timeline(sessionId);
    expect(timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['session_started', 'task_started', 'progress', 'milestone', 'task_completed', 'session_stopped']));
    expect(timeline.find((t) => t.kind === 'milestone' && t.message.startsWith('committed '))?.message).toMatch(
      new RegExp(`^committed [0-9a-f]{10} on ${attempt.branch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: baton-demo/add-the-greeting\\.md$`),
    );

    const diff = await api.get<AttemptDiff>(`/api/attempts/${attemptId}/diff`);
    expect(diff.runnerId).toBe('work-1');
    expect(diff.files.map((f) => [f.path, f.status])).toEqual([['baton-demo/add-the-greeting.md', 'added']]);
    const [file] = diff.files;
    expect(file.hunks).toHaveLength(1);
    expect(file.hunks[0]).toMatchObject({ oldStart: 0, oldLines: 0, newStart: 1, newLines: file.additions });
    const added = file.hunks[0].lines.filter((l) => l.kind === 'add').map((l) => l.text);
    expect(added).toHaveLength(file.additions);
    expect(added[0]).toBe('# Add the greeting [fast]');
    expect(added).toEqual(expect.arrayContaining(['> Say hello to the reviewers.', '- [x] it greets']));

    const base = git(repo.location, 'rev-parse', 'refs/heads/main');
    const merged = await api.post<MergeResult>(`/api/attempts/${attemptId}/merge`, { strategy: 'squash', message: 'Add the greeting (squashed)' });
    expect(merged).toMatchObject({ attemptId, runnerId: 'work-1', previousCommit: base, changed: true });
    expect(merged.finished?.events.map((e) => e.type)).toContain('project.task_attempt_finished');
    const task = await eventually(async () => {
      const t = await api.get<TaskView>(`/api/tasks/${taskId}`, { minSeq: merged.finished!.seq });
      return t.status === 'done' ? t : null;
    }, 10_000, 'the task done');
    expect(task.activeAttemptId).toBeNull();
    expect((await api.get<AttemptView>(`/api/attempts/${attemptId}`)).status).toBe('merged');
    // Nothing left to merge: the diff against the (moved) base is empty.
    expect((await api.post<MergeResult>(`/api/attempts/${attemptId}/merge`, { strategy: 'squash', finishAttempt: false })).changed).toBe(false);

    // The runner's mirror of the project has the squash commit on main…
    const mirrors = readdirSync(join(stack.runner('work-1').dataDir, 'repos')).filter((d) => d.endsWith('.git'));
    expect(mirrors).toHaveLength(1);
    const mirror = join(stack.runner('work-1').dataDir, 'repos', mirrors[0]);
    expect(git(mirror, 'rev-parse', 'refs/heads/main')).toBe(merged.commit);
    expect(git(mirror, 'log', '--format=%P|%s', '-1', merged.commit)).toBe(`${base}|Add the greeting (squashed)`);
    // …and so must the project's repository: that is where the base branch lives for everyone else.
    const tip = git(repo.location, 'rev-parse', 'refs/heads/main');
    expect({ repositoryMain: tip, landed: tip === merged.commit }).toEqual({ repositoryMain: merged.commit, landed: true });
    expect(git(repo.location, 'show', 'main:baton-demo/add-the-greeting.md')).toContain('- [x] it greets');
  }, 120_000);

  it("records where the attempt's work lives: its worktree, base commit and runner (GET /api/attempts/:id)", async () => {
    const { api } = stack;
    const repo = projectRepo(stack);
    const projectId = await api.createProject('workspace-e2e', repo.location);
    const taskId = await api.createTask(projectId, 'Note it [fast]');
    const { attemptId, sessionId } = await api.startInAttempt(taskId, 'baton-demo-agent');
    await api.waitStatus(sessionId, ['completed'], 60_000);
    expect(existsSync(join(worktreeOf(attemptId), 'baton-demo/note-it.md'))).toBe(true);
    const attempt = await api.get<AttemptView>(`/api/attempts/${attemptId}`);
    expect({ worktreePath: attempt.worktreePath, baseCommit: attempt.baseCommit, runnerId: attempt.runnerId }).toEqual({
      worktreePath: worktreeOf(attemptId),
      baseCommit: git(repo.work, 'rev-parse', 'main'),
      runnerId: 'work-1',
    });
  }, 120_000);

  it('a queue session works three tasks in order, one at a time, and the tasks complete', async () => {
    const { api } = stack;
    const projectId = await api.createProject('queue-e2e', projectRepo(stack).location);
    const tasks = [];
    for (const title of ['First [fast]', 'Second [fast]', 'Third [fast]']) tasks.push(await api.createTask(projectId, title));
    const sessionId = await api.spawn(projectId, { templateId: 'baton-demo-agent', strategy: 'queue', taskIds: tasks });

    const done = await api.waitStatus(sessionId, ['completed'], 90_000);
    expect(done.items).toEqual(tasks.map((taskId) => ({ taskId, status: 'completed' })));
    expect(done.endedReason).toMatch(/queue drained: 3 completed, 0 failed, 0 skipped/);

    const timeline = await api.timeline(sessionId);
    const taskEntries = timeline.filter((t) => t.kind === 'task_started' || t.kind === 'task_completed').map((t) => `${t.kind} ${t.taskId}`);
    expect(taskEntries).toEqual(tasks.flatMap((id) => [`task_started ${id}`, `task_completed ${id}`]));
    // One at a time: every progress report of a task falls between its start and its completion.
    const position = (kind: string, id: string) => timeline.findIndex((t) => t.kind === kind && t.taskId === id);
    for (const id of tasks) {
      const progress = timeline.map((t, i) => (t.kind === 'progress' && t.taskId === id ? i : -1)).filter((i) => i >= 0);
      expect(progress.length).toBeGreaterThanOrEqual(4);
      expect(Math.min(...progress)).toBeGreaterThan(position('task_started', id));
      expect(Math.max(...progress)).toBeLessThan(position('task_completed', id));
    }
    for (const id of tasks) {
      const t = await eventually(async () => {
        const v = await api.get<TaskView>(`/api/tasks/${id}`);
        return v.status === 'done' ? v : null;
      }, 15_000, `task ${id} done`);
      expect(t.doneAt).not.toBeNull();
    }
    const doneAt = await Promise.all(tasks.map(async (id) => (await api.get<TaskView>(`/api/tasks/${id}`)).doneAt!));
    expect([...doneAt].sort()).toEqual(doneAt);
  }, 120_000);

  it('needs input: the agent asks in its terminal, an answer typed over socket.io lets it go on, and the answer is in its commit', async () => {
    const { api } = stack;
    const projectId = await api.createProject('ask-e2e', projectRepo(stack).location);
    const taskId = await api.createTask(projectId, 'Pick a colour', { description: '[needs-input: Which colour, red or blue?] [fast]' });
    const { attemptId, sessionId } = await api.startInAttempt(taskId, 'baton-demo-agent');

    const asking = await api.waitStatus(sessionId, ['needs_input'], 60_000);
    expect(asking.statusReason).toContain('Which colour, red or blue?');
    const term = await TerminalClient.attach(stack.gatewayUrl, stack.ns.token, sessionId);
    try {
      await term.waitFor('? Which colour, red or blue?');
      // It waits for a person: nothing moves until the answer comes.
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await api.session(sessionId)).status).toBe('needs_input');

      expect(await term.type('blue, ')).toEqual({ ok: true });
      expect(await term.type('please\r')).toEqual({ ok: true });
      await term.waitFor('got an answer: blue, please');
    } finally {
      term.close();
    }
    const done = await api.waitStatus(sessionId, ['completed'], 60_000);
    expect(done.items).toEqual([{ taskId, status: 'completed' }]);

    const path = statusPath(ofSession(await readLog(stack.ns), sessionId)).map((s) => s.to);
    expect(path.slice(path.indexOf('needs_input'))).toEqual(['needs_input', 'working', 'completed']);
    const timeline = await api.timeline(sessionId);
    expect(timeline.filter((t) => t.kind === 'needs_input').map((t) => [t.message, t.taskId])).toEqual([['Which colour, red or blue?', taskId]]);

    const committed = git(worktreeOf(attemptId), 'show', 'HEAD:baton-demo/pick-a-colour.md');
    expect(committed).toMatch(/## Answer\n\n> Which colour, red or blue\?\n\nblue, please\n/);
  }, 120_000);

  it('task text never runs as code: a hostile title and description stay data for the agent and for a shell template; {{…}} in argv is refused', async () => {
    const { api } = stack;
    const tag = randomBytes(4).toString('hex');
    const marks = ['a', 'b', 'c', 'd', 'e'].map((k) => `/tmp/pwned-${tag}-${k}`);
    const title = `$(touch ${marks[0]}) and \`touch ${marks[1]}\``;
    const description = `; touch ${marks[2]} # and $(touch ${marks[3]}) \`touch ${marks[4]}\` [fast]`;
    const repo = projectRepo(stack);
    const projectId = await api.createProject('injection-e2e', repo.location);
    const taskId = await api.createTask(projectId, title, { description });
    expect((await api.get<TaskView>(`/api/tasks/${taskId}`, { minSeq: api.lastSeq })).title).toBe(title);

    // A template may not put task data in its argv at all.
    const refused = await api.request<{ error: { code: string; fields?: { path: string }[] } }>('POST', '/api/session-templates', {
      body: { projectId, spec: { name: 'Unsafe', kind: 'command', argv: ['sh', '-c', 'echo {{task.title}}'] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields?.map((f) => f.path).join(' ')).toMatch(/spec\.argv/);

    // A shell template that reads the title from its environment, as the templates' contract says.
    const shell = await api.defineTemplate(projectId, {
      name: 'Echo title',
      kind: 'command',
      argv: ['sh', '-c', 'printf "title=[%s]\\n" "$TITLE"; printf "same=[%s]\\n" "$BATON_TASK_TITLE"'],
      env: { TITLE: '{{task.title}}' },
    });
    const echo = await api.spawn(projectId, { templateId: shell.id, taskIds: [taskId] });
    const { attemptId, sessionId } = await api.startInAttempt(taskId, 'baton-demo-agent');

    expect((await api.waitEnded(echo, 60_000)).status).toBe('exited');
    const agent = await api.waitStatus(sessionId, ['completed'], 60_000);
    expect(agent.items).toEqual([{ taskId, status: 'completed' }]);

    const cast = (await api.get<SessionExport>(`/api/sessions/${echo}/export`, { format: 'cast' })).content;
    expect(cast).toContain(`title=[${title}]`);
    expect(cast).toContain(`same=[${title}]`);
    const worktree = worktreeOf(attemptId);
    expect(git(worktree, 'log', '-1', '--format=%s')).toBe(`baton-demo: ${title}`);
    const files = git(worktree, 'show', '--name-only', '--format=', 'HEAD').split('\n');
    expect(files).toEqual([expect.stringMatching(new RegExp(`^baton-demo/touch-tmp-pwned-${tag}-a-and-[a-z0-9-]+\\.md$`))]);
    const doc = git(worktree, 'show', `HEAD:${files[0]}`);
    expect(doc.split('\n')[0]).toBe(`# ${title}`);
    expect(doc).toContain(`> ${description}`);
    for (const f of marks) expect({ file: f, exists: existsSync(f) }).toEqual({ file: f, exists: false });
    for (const f of ['pwned', 'touch']) expect(existsSync(join(worktree, f))).toBe(false);
  }, 120_000);

  it("a command template's session runs in the sandbox too: none of the runner's secrets or state, a home of its own, nothing written outside its work", async () => {
    const { api } = stack;
    const projectId = await api.createProject('sandbox-e2e', projectRepo(stack).location);
    await api.get(`/api/projects/${projectId}`, { minSeq: api.lastSeq });
    const dataDir = stack.runner('work-1').dataDir;
    const escape = join('/var/tmp', `baton-escape-${randomBytes(4).toString('hex')}`);
    // What a test watcher or dev server runs is the agent's work (its tests, its scripts): it tries what an attacker would.
    const probe = [
      'echo "uid=$(id -u)"',
      'echo "home=$HOME"',
      'echo mine > "$HOME/note" && echo home-writable',
      'echo mine > probe.txt && echo checkout-writable',
      `echo "secrets=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '^DATABASE_URL=')"`,
      `echo "worktrees=$(ls ${dataDir}/worktrees 2>/dev/null | wc -l)"`,
      `touch ${escape} 2>/dev/null && echo escaped`,
      'echo probe-done',
    ].join('; ');
    const template = await api.defineTemplate(projectId, { name: 'Probe', kind: 'command', argv: ['sh', '-c', probe] });
    const sessionId = await api.spawn(projectId, { templateId: template.id });
    expect((await api.waitEnded(sessionId, 60_000)).status).toBe('exited');
    const cast = (await api.get<SessionExport>(`/api/sessions/${sessionId}/export`, { format: 'cast' })).content;
    // An asciicast: a header line, then one [time, "o", text] event per line.
    const output = cast
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => JSON.parse(line) as [number, string, string])
      .filter(([, kind]) => kind === 'o')
      .map(([, , text]) => text)
      .join('');
    const said = (name: string) => new RegExp(`${name}=([^\\r\\n]*)`).exec(output)?.[1];
    expect(output).toContain('probe-done');
    // On a root runner, the sessions' own unprivileged user (decision 0020); else the runner's uid.
    expect(said('uid')).toBe(String(process.getuid?.() === 0 ? 64_000 : process.getuid?.()));
    expect(said('home')).toBe(join(dataDir, 'sessions', sessionId, 'home'));
    expect(output).toContain('home-writable');
    expect(output).toContain('checkout-writable');
    // The runner's environment (its DATABASE_URL) is in no process the session can see.
    expect(said('secrets')).toBe('0');
    // The attempts' worktrees (the cases before made some) are hidden: its work is the project's checkout.
    expect(said('worktrees')).toBe('0');
    expect(output).not.toContain('escaped');
    expect(existsSync(escape)).toBe(false);
  }, 120_000);

  it('nothing the test was told was accepted is missing from the log or in it twice; every session story holds together', async () => {
    // Every command any process sent (agents, runner, scheduler, reactors, this test) against the log.
    const audit = await auditNamespace(stack.ns);
    expect(audit.problems).toEqual([]);
    expect(audit.commands).toBeGreaterThan(50);
    const log = await readLog(stack.ns);
    expect(checkLogOnce(log, stack.api.accepted)).toEqual([]);
    const sessions = (await stack.api.get<Page<SessionView>>('/api/sessions', { limit: 1_000 })).items;
    expect(sessions.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const s of sessions) problems.push(...checkSessionStory(ofSession(log, s.id), s, await stack.api.timeline(s.id)));
    expect(problems).toEqual([]);
  }, 120_000);
});
