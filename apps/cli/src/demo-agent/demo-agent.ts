import type { Readable, Writable } from 'node:stream';
import type { Api, Env } from '../context';
import { ownSessionId } from '../sessions/agent-env';
import { SessionApi } from '../sessions/session-api';
import { isFinal, type QueueTask, type SessionView } from '../sessions/session-views';
import { currentBranch, isWorkTree } from './git';
import { readManifest, type DemoManifest } from './manifest';
import { Reporter } from './reporter';
import { LineReader, TerminalLog } from './terminal';
import { workTask } from './work-task';
import type { AgentRun, Outcome, WorkItem } from './work-item';
import { planTask } from './plan-task';
import { resolveTrainConflict, trainMergeTarget } from './train-fix';

export interface DemoAgentOptions {
  env: Env;
  cwd: string;
  api: Api;
  out: Writable & { isTTY?: boolean };
  input: Readable;
  manifestPath?: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface DemoAgentResult {
  ok: boolean;
  summary: string;
}

const DEFAULT_STEP_MS = 1_500;
const DEFAULT_POLL_MS = 1_000;

const msFrom = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);

/** Commit when the session works an attempt (its own branch) in a git worktree; BATON_DEMO_COMMIT=0/1 overrides. */
async function shouldCommit(env: Env, cwd: string, manifest: DemoManifest): Promise<boolean> {
  if (env.BATON_DEMO_COMMIT === '0') return false;
  if (!(await isWorkTree(cwd))) return false;
  return env.BATON_DEMO_COMMIT === '1' || manifest.attempt !== null;
}

/** No task: the work is what the prompt says (a worker started with a prompt only). */
function promptItem(env: Env, manifest: DemoManifest): WorkItem {
  const prompt = (env.BATON_PROMPT ?? '').trim();
  const first = prompt.split(/\r?\n/)[0]?.trim();
  return { taskId: null, id: manifest.session.id, title: (first || manifest.session.name || 'demo work').slice(0, 200), description: prompt, acceptanceCriteria: [] };
}

const toItem = (t: QueueTask): WorkItem => ({ ...t, taskId: t.id });

/**
 * The scripted agent behind the `baton-demo-agent` template (DESIGN §5): really works its
 * tasks in its worktree — a file per task, a commit on the attempt's branch — and reports
 * every step to Baton like an agent would, with no model and no API key. Simple strategy:
 * every task of the manifest, then `completed` (or `failed`). Queue strategy: `queue next`
 * until the queue is empty (Baton completes the session when it drains).
 */
export async function runDemoAgent(o: DemoAgentOptions): Promise<DemoAgentResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = new TerminalLog(o.out);
  const manifest = readManifest(o.env, o.manifestPath);
  const sessionId = ownSessionId(o.env, manifest.session.id);
  const sessions = new SessionApi(o.api);
  const input = new LineReader(o.input);
  const reporter = new Reporter(sessions, sessionId, log, sleep);
  const run: AgentRun = {
    manifest,
    sessionId,
    env: o.env,
    cwd: o.cwd,
    api: o.api,
    reporter,
    log,
    input,
    sleep,
    stepMs: msFrom(o.env.BATON_DEMO_STEP_MS, DEFAULT_STEP_MS),
    pollMs: msFrom(o.env.BATON_DEMO_POLL_MS, DEFAULT_POLL_MS),
    commit: await shouldCommit(o.env, o.cwd, manifest),
    branch: await currentBranch(o.cwd),
  };

  log.info(`Baton demo agent · session ${sessionId} (${manifest.session.role}, ${manifest.session.strategy}) · project ${manifest.project.name || manifest.project.id}`);
  log.info(`${manifest.tasks.length} task${manifest.tasks.length === 1 ? '' : 's'}; working in ${o.cwd}${run.branch ? ` on ${run.branch}` : ''}${run.commit ? '' : ' (not committing)'}`);
  if (manifest.attempt?.branch && run.branch && manifest.attempt.branch !== run.branch) log.warn(`the manifest says branch ${manifest.attempt.branch}, the worktree is on ${run.branch}`);

  try {
    await reporter.register();
    log.ok('registered');
    const before = await sessions.get(sessionId).catch(() => null);
    // Sent back by the merge train with a conflict: bring the target in first, as its follow-up asks.
    const target = run.commit ? trainMergeTarget(o.env.BATON_PROMPT ?? '') : null;
    if (target) {
      const fixed = await resolveTrainConflict(run, target).catch(async (e: Error) => {
        log.fail(`could not merge ${target}: ${e.message}`);
        await reporter.report({ kind: 'error', message: `could not merge ${target}: ${e.message}`, taskId: manifest.tasks[0]?.id ?? null });
        return null;
      });
      if (!fixed) return await finish(run, [{ kind: 'failed', reason: `could not merge ${target}` }]);
      if (fixed.files.length) await reporter.report({ kind: 'milestone', message: `merged ${target}, resolved ${fixed.files.join(', ')}`, taskId: manifest.tasks[0]?.id ?? null });
    }
    // A planner outside an attempt is `baton task decompose`'s: it plans. In an attempt it works like any agent.
    const planning = manifest.session.role === 'planner' && !manifest.attempt;
    const outcomes = planning ? await planAll(run) : manifest.session.strategy === 'queue' ? await workQueue(run, before) : await workSimple(run, before);
    return await finish(run, outcomes);
  } finally {
    input.close();
  }
}

async function planAll(run: AgentRun): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const t of run.manifest.tasks) outcomes.push(await planTask(run, toItem(t)));
  return outcomes;
}

async function workSimple(run: AgentRun, before: SessionView | null): Promise<Outcome[]> {
  const done = new Set((before?.items ?? []).filter((i) => i.status !== 'queued' && i.status !== 'processing').map((i) => i.taskId));
  const items: WorkItem[] = run.manifest.tasks.length ? run.manifest.tasks.map((t) => toItem(t)) : [promptItem(run.env, run.manifest)];
  const outcomes: Outcome[] = [];
  for (const item of items) {
    if (item.taskId && done.has(item.taskId)) {
      run.log.info(`task ${item.taskId} already ended in an earlier run; skipping it`);
      continue;
    }
    const outcome = await workTask(run, item, 'simple');
    outcomes.push(outcome);
    if (outcome.kind === 'restart') break;
  }
  return outcomes;
}

async function workQueue(run: AgentRun, before: SessionView | null): Promise<Outcome[]> {
  const known = (id: string) => {
    const t = run.manifest.tasks.find((x) => x.id === id);
    return t ? { id: t.id, title: t.title, description: t.description, acceptanceCriteria: t.acceptanceCriteria } : undefined;
  };
  const outcomes: Outcome[] = [];
  // After a restart the item taken before is still in progress: finish it first.
  const resumed = before?.items?.find((i) => i.status === 'processing');
  let next: QueueTask | null = resumed ? (known(resumed.taskId) ?? (await run.reporter.api.task(resumed.taskId))) : null;
  if (next) run.log.info(`resuming task ${next.id}, taken before a restart`);
  for (;;) {
    if (!next) {
      const got = await run.reporter.api.queueNext(run.sessionId, known);
      if (!got.task) {
        run.log.info(`queue empty: ${got.reason}`);
        break;
      }
      next = got.task;
    }
    const outcome = await workTask(run, toItem(next), 'queue');
    outcomes.push(outcome);
    next = null;
    if (outcome.kind === 'restart') break;
    const s = await run.reporter.api.get(run.sessionId).catch(() => null);
    if (s && isFinal(s.status)) {
      run.log.info(`session ${s.status}${s.endedReason ? `: ${s.endedReason}` : ''}`);
      break;
    }
  }
  return outcomes;
}

async function finish(run: AgentRun, outcomes: Outcome[]): Promise<DemoAgentResult> {
  const { log, reporter } = run;
  const restart = outcomes.find((x) => x.kind === 'restart');
  if (restart) {
    log.fail(`exiting with an error so the session restarts: ${restart.reason}`);
    return { ok: false, summary: restart.reason };
  }
  const failed = outcomes.filter((x) => x.kind === 'failed').length;
  const summary = outcomes.length === 0 ? 'nothing to do' : `${outcomes.length - failed} of ${outcomes.length} task${outcomes.length === 1 ? '' : 's'} completed${failed ? `, ${failed} failed` : ''}`;
  const s = await reporter.api.get(run.sessionId).catch(() => null);
  const ended = s !== null && isFinal(s.status);
  // A drained queue already completed the session; a simple one ends with the agent's word.
  if (!ended) await reporter.status(failed ? 'failed' : 'completed', summary);
  if (failed) log.fail(summary);
  else log.ok(summary);
  return { ok: failed === 0, summary };
}
