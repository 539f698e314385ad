import { CliError, seg } from '../api-client';
import { formatPercent, progressBar } from '../sessions/progress';
import { parseDirectives, parsePlan, slugify, stripDirectives, type Directives } from './directives';
import { commitPaths } from './git';
import { createPlan, spawnWorkers } from './orchestrate';
import { DEMO_DIR, readWorktreeFile, renderTaskDoc, writeWorktreeFile, type AgentRun, type Outcome, type TaskDoc, type WorkItem } from './work-item';

const QUOTA_LINE = 'DEMO QUOTA REACHED, resets in 1 minute';

/** Which attempt this is: the manifest's number, else the attempt's own (asked of Baton), else 1. */
async function attemptNumber(run: AgentRun): Promise<number> {
  const a = run.manifest.attempt;
  if (a?.number) return a.number;
  const fromEnv = Number(run.env.BATON_ATTEMPT_NUMBER);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (!a) return 1;
  try {
    const view = await run.api.get<{ number?: number }>(`/api/attempts/${seg(a.id)}`);
    return typeof view.number === 'number' && view.number > 0 ? view.number : 1;
  } catch {
    return 1;
  }
}

/**
 * Works one item: task_started, a file in the worktree written in steps with progress at
 * 25/50/75/100 %, a commit on the attempt's branch, usage, then completed — or whatever
 * its directives ask for instead (see directives.ts).
 */
export async function workTask(run: AgentRun, item: WorkItem, strategy: 'simple' | 'queue'): Promise<Outcome> {
  const { log, reporter } = run;
  const d = parseDirectives(item.title, item.description);
  const title = stripDirectives(item.title) || item.title || 'untitled';
  const taskId = item.taskId;
  const stepMs = d.fast ? 0 : run.stepMs;
  const slug = slugify(item.title, taskId ?? run.sessionId);
  const file = `${DEMO_DIR}/${slug}.md`;
  const doc: TaskDoc = { item, checked: false, answer: null, notes: [] };
  const note = (text: string) => doc.notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
  const progress = async (fraction: number, message: string) => {
    log.raw(`  ${progressBar(fraction)}  ${message}\n`);
    note(`${formatPercent(fraction)} ${message}`);
    await reporter.report({ kind: 'progress', message, taskId, progress: fraction });
  };
  /** The time between two progress points; [slow]/[long] fill it with ticks. */
  const pace = async (from: number, to: number) => {
    if (d.slowSeconds === null) return run.sleep(stepMs);
    const segmentMs = (d.slowSeconds * 1000) / 3;
    const tickMs = Math.min(10_000, Math.max(1_000, segmentMs / 4));
    const ticks = Math.max(1, Math.round(segmentMs / tickMs));
    for (let i = 1; i <= ticks; i++) {
      await run.sleep(segmentMs / ticks);
      if (i < ticks) await progress(from + ((to - from) * i) / ticks, `still working on "${title}"`);
    }
  };

  log.step(`task ${taskId ?? '(prompt)'}: ${title}${describe(d)}`);
  if (strategy === 'simple' && taskId) await reporter.report({ kind: 'task_started', message: `started: ${title}`, taskId }, true);

  if (d.failOnce) {
    const marker = `${DEMO_DIR}/.fail-once/${slugify(taskId ?? slug)}`;
    const attempt = await attemptNumber(run);
    if (attempt <= 1 && readWorktreeFile(run, marker) === null) {
      writeWorktreeFile(run, marker, `failed once on purpose in session ${run.sessionId}\n`);
      if (run.commit) await commitPaths(run.cwd, [marker], `baton-demo: ${title} failed once on purpose`, run.env).catch(() => null);
      const reason = `[fail-once]: failing the first try of "${title}" on purpose; the next run succeeds`;
      log.fail(reason);
      await reporter.report({ kind: 'error', message: reason, taskId });
      return { kind: 'restart', reason };
    }
    log.info(`[fail-once]: attempt ${attempt}${readWorktreeFile(run, marker) !== null ? ', failed once already' : ''}: this time it works`);
  }

  writeWorktreeFile(run, file, renderTaskDoc(run, doc));
  await progress(0.25, `read the task; writing ${file}`);
  await pace(0.25, 0.5);

  if (d.quota) {
    log.raw(`${QUOTA_LINE}\n`);
    log.warn('waiting for "continue" typed into this terminal');
    const line = await run.input.next();
    if (line === null) return fail(run, item, strategy, 'the terminal closed while waiting out the demo quota');
    log.info(`resumed (${line})`);
  }

  if (d.ask) {
    await reporter.report({ kind: 'needs_input', message: d.ask, taskId }, true);
    log.ask(d.ask);
    const answer = await run.input.next();
    if (answer === null) return fail(run, item, strategy, `no answer to "${d.ask}": the terminal closed`);
    log.ok(`got an answer: ${answer}`);
    doc.answer = { question: d.ask, text: answer };
    await reporter.status('working', `answered: ${answer.slice(0, 200)}`);
  }

  if (d.plan) {
    const created = await createPlan(run, item).catch(async (e: Error) => {
      // A token that may not create tasks (403) keeps the plan in the file and goes on; anything else fails.
      const refused = e instanceof CliError && e.status === 403;
      log[refused ? 'warn' : 'fail'](`planning: could not create the subtasks: ${e.message}`);
      await reporter.report({ kind: 'error', message: `could not create the planned subtasks: ${e.message}`, taskId });
      if (refused) note(`plan (not created: ${e.message}): ${parsePlan(item.description).map((p) => `${p.index}. ${p.title}`).join('; ')}`);
      return refused ? [] : null;
    });
    if (created === null) return fail(run, item, strategy, 'could not create the planned subtasks');
    if (created.length) {
      note(`planned ${created.map((c) => `${c.index}. ${c.title} (${c.id})`).join('; ')}`);
      await reporter.report({ kind: 'milestone', message: `planned ${created.length} subtask${created.length === 1 ? '' : 's'}`, taskId });
    }
  }

  if (d.conflict) {
    writeWorktreeFile(run, `${DEMO_DIR}/SHARED.md`, `# Shared\n\nThis line was written by "${title}" in session ${run.sessionId}.\n`);
    log.warn(`[conflict]: rewrote ${DEMO_DIR}/SHARED.md (merging this branch next to another one will conflict)`);
  }

  writeWorktreeFile(run, file, renderTaskDoc(run, doc));
  await progress(0.5, `wrote ${file}`);

  if (d.spawnWorkers > 0) {
    let result;
    try {
      result = await spawnWorkers(run, item, d.spawnWorkers, async (done, total, last) => {
        await progress(0.5 + (0.25 * done) / total, `${done}/${total} workers done (${last.id} ${last.status})`);
      });
    } catch (e) {
      return fail(run, item, strategy, `could not run workers: ${(e as Error).message}`);
    }
    note(`workers: ${result.finished.map((w) => `${w.id} ${w.status}`).join(', ')}`);
    await reporter.report({ kind: 'milestone', message: `all ${result.spawned.length} workers ended, ${result.failed} failed`, taskId });
    if (result.failed) return fail(run, item, strategy, `${result.failed} of ${result.spawned.length} workers did not complete`);
  } else await pace(0.5, 0.75);

  if (d.fail) return fail(run, item, strategy, `[fail]: "${title}" fails on purpose`);

  doc.checked = true;
  writeWorktreeFile(run, file, renderTaskDoc(run, doc));
  const criteria = item.acceptanceCriteria.length;
  await progress(0.75, `checked ${criteria || 'the'} acceptance criteri${criteria === 1 ? 'on' : 'a'}`);
  await pace(0.75, 1);

  let committed: string | null = null;
  if (run.commit) {
    const paths = [file, ...(d.conflict ? [`${DEMO_DIR}/SHARED.md`] : [])];
    try {
      committed = await commitPaths(run.cwd, paths, `baton-demo: ${title}${taskId ? `\n\nTask: ${taskId}\nSession: ${run.sessionId}` : `\n\nSession: ${run.sessionId}`}`, run.env);
    } catch (e) {
      return fail(run, item, strategy, `could not commit: ${(e as Error).message}`);
    }
    if (committed) {
      log.ok(`committed ${committed.slice(0, 10)} on ${run.branch ?? 'HEAD'}`);
      await reporter.report({ kind: 'milestone', message: `committed ${committed.slice(0, 10)} on ${run.branch ?? 'HEAD'}: ${file}`, taskId });
    }
  }
  await progress(1, `done: ${title}`);
  await reporter.usage({
    inputTokens: Math.ceil((item.title.length + item.description.length) / 4),
    outputTokens: Math.ceil((readWorktreeFile(run, file)?.length ?? 0) / 4),
    costUsd: 0,
    model: 'baton-demo-agent',
  });
  const summary = `${title}: wrote ${file}${committed ? `, commit ${committed.slice(0, 10)}` : ''}`;
  if (strategy === 'queue') await reporter.queue('complete', { taskId, message: summary });
  else if (taskId) await reporter.report({ kind: 'task_completed', message: summary, taskId }, true);
  log.ok(`completed ${taskId ?? 'the work'}: ${summary}`);
  return { kind: 'completed', summary };
}

async function fail(run: AgentRun, item: WorkItem, strategy: 'simple' | 'queue', reason: string): Promise<Outcome> {
  run.log.fail(reason);
  await run.reporter.report({ kind: 'error', message: reason, taskId: item.taskId });
  if (strategy === 'queue') await run.reporter.queue('fail', { taskId: item.taskId, reason });
  else if (item.taskId) await run.reporter.report({ kind: 'task_failed', message: reason, taskId: item.taskId }, true);
  return { kind: 'failed', reason };
}

function describe(d: Directives): string {
  const on = [
    d.fail && 'fail',
    d.failOnce && 'fail-once',
    d.ask && 'ask',
    d.slowSeconds !== null && `slow ${d.slowSeconds}s`,
    d.fast && 'fast',
    d.spawnWorkers && `${d.spawnWorkers} workers`,
    d.conflict && 'conflict',
    d.plan && 'plan',
    d.quota && 'quota',
  ].filter(Boolean);
  return on.length ? ` [${on.join(', ')}]` : '';
}
