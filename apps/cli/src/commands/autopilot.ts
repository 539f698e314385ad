import type { Command } from 'commander';
import type { AutopilotStatus, Page, SessionView } from '@baton/contracts';
import { CliError } from '../api-client';
import { emit, type Ctx } from '../context';
import { projectPath, taskPath, writtenBy, type JsonOpt } from './shared';
import { choice, defined, intBetween, parseId, positiveInt, withJson, withMinSeq } from '../options';

interface ReadOpts extends JsonOpt {
  minSeq?: number;
}

const MARK: Record<string, string> = {
  todo: '·',
  ready: '○',
  in_progress: '▶',
  in_review: '◎',
  done: '✔',
  failed: '✘',
  blocked: '⊘',
  cancelled: '–',
};

const attemptLimit = intBetween(1, 10);
const depth = intBetween(1, 5);

/**
 * The DAG as it executes: one line per task, indented by the tree, with what it waits on,
 * where it runs (runner and session) and why the autopilot holds it; then what needs a
 * person, then the autopilot's latest decisions.
 */
export function formatAutopilot(s: AutopilotStatus, running: ReadonlyMap<string, SessionView>, decisions = 15): string {
  const byId = new Map(s.tasks.map((t) => [t.taskId, t]));
  const label = (id: string) => (byId.get(id) ? `#${byId.get(id)!.number}` : id);
  const children = new Map<string | null, typeof s.tasks>();
  for (const t of s.tasks) children.set(t.parentId && byId.has(t.parentId) ? t.parentId : null, [...(children.get(t.parentId && byId.has(t.parentId) ? t.parentId : null) ?? []), t]);
  const counts = new Map<string, number>();
  for (const t of s.tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const lines = [
    `autopilot ${s.state.toUpperCase()} — template ${s.settings.sessionTemplateId}, up to ${s.settings.maxAttempts} attempt(s), on success: ${s.settings.onSuccess}, decompose depth ${s.settings.decomposeDepth}`,
    `tasks: ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`,
    '',
  ];
  const walk = (parent: string | null, indent: string) => {
    for (const t of children.get(parent) ?? []) {
      const notes: string[] = [];
      const session = t.activeAttemptId ? running.get(t.activeAttemptId) : undefined;
      if (session) notes.push(`on ${session.runnerId ?? 'no runner yet'} (session ${session.id} ${session.status})`);
      if (t.waitingOn.length && (t.status === 'todo' || t.status === 'blocked')) notes.push(`waits on ${t.waitingOn.map(label).join(', ')}`);
      if (t.attempts) notes.push(`attempt ${t.attempts}${t.failures ? `, ${t.failures} failed` : ''}`);
      if (t.gaveUp) notes.push('gave up');
      if (t.planning) notes.push('planning');
      if (t.hold && t.heldBy === t.taskId) notes.push(`held: ${t.hold}`);
      lines.push(`${indent}${MARK[t.status] ?? '?'} #${t.number} ${t.title} [${t.status}]${notes.length ? ` — ${notes.join('; ')}` : ''}`);
      walk(t.taskId, `${indent}  `);
    }
  };
  walk(null, '');
  if (s.needsInput.length) {
    lines.push('', 'NEEDS INPUT:');
    for (const n of s.needsInput) lines.push(`  ${label(n.taskId)} (attempt ${n.attemptId}): ${n.message}`);
  }
  if (s.decisions.length) {
    lines.push('', 'latest decisions:');
    for (const d of s.decisions.slice(-decisions)) lines.push(`  ${d.at.slice(11, 19)} ${d.taskId ? `${label(d.taskId)} ` : ''}${d.summary}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerAutopilotCommands(program: Command, ctx: Ctx): void {
  const autopilot = program.command('autopilot').description("run a project's ready tasks on their own: start, retry, merge, block");
  const written = writtenBy(ctx);

  withMinSeq(
    withJson(
      autopilot
        .command('status')
        .description('the DAG as it executes: what runs where, what waits on what, what needs a person')
        .argument('<project>', 'project id', parseId)
        .option('--decisions <n>', 'show this many of the latest decisions', positiveInt, 15),
    ),
  ).action(async (projectId: string, o: ReadOpts & { decisions: number }) => {
    const api = ctx.api();
    const [status, sessions] = await Promise.all([
      api.get<AutopilotStatus>(`${projectPath(projectId)}/autopilot`, { minSeq: o.minSeq }),
      api.get<Page<SessionView>>('/api/sessions', { projectId, live: 'true', limit: 1_000, minSeq: o.minSeq }),
    ]);
    const running = new Map(sessions.items.filter((x) => x.attemptId).map((x) => [x.attemptId as string, x]));
    emit(ctx, o.json, { ...status, sessions: sessions.items }, () => formatAutopilot(status, running, o.decisions));
  });

  withJson(
    autopilot
      .command('on')
      .description('switch the autopilot on (and change settings)')
      .argument('<project>', 'project id', parseId)
      .option('--template <id>', 'session template a task runs (default baton-demo-agent)', parseId)
      .option('--planner <id>', 'session template a planner runs', parseId)
      .option('--max-attempts <n>', 'attempts per task before it fails (1-10)', attemptLimit)
      .addOption(choice('--on-success <policy>', 'merge completed attempts, or leave them in review', ['merge', 'review']))
      .option('--depth <n>', 'how deep decompose recurses (1-5)', depth),
  ).action(async (projectId: string, o: JsonOpt & { template?: string; planner?: string; maxAttempts?: number; onSuccess?: string; depth?: number }) => {
    const body = { enabled: true, ...defined({ sessionTemplateId: o.template, plannerTemplateId: o.planner, maxAttempts: o.maxAttempts, onSuccess: o.onSuccess, decomposeDepth: o.depth }) };
    written(o, await ctx.api().patch(`${projectPath(projectId)}/autopilot`, body), `autopilot on for project ${projectId}`);
  });

  withJson(autopilot.command('off').description('switch the autopilot off (running work goes on)').argument('<project>', 'project id', parseId)).action(
    async (projectId: string, o: JsonOpt) => written(o, await ctx.api().patch(`${projectPath(projectId)}/autopilot`, { enabled: false }), `autopilot off for project ${projectId}`),
  );

  withJson(autopilot.command('pause').description('start nothing new (running work finishes)').argument('<project>', 'project id', parseId).option('--reason <text>', 'why')).action(
    async (projectId: string, o: JsonOpt & { reason?: string }) =>
      written(o, await ctx.api().post(`${projectPath(projectId)}/autopilot/pause`, { reason: o.reason ?? '', stopAll: false }), `autopilot paused for project ${projectId}`),
  );

  withJson(autopilot.command('stop').description('pause and abandon every attempt it runs (their sessions stop)').argument('<project>', 'project id', parseId).option('--reason <text>', 'why')).action(
    async (projectId: string, o: JsonOpt & { reason?: string }) =>
      written(o, await ctx.api().post(`${projectPath(projectId)}/autopilot/pause`, { reason: o.reason ?? '', stopAll: true }), `autopilot stopped everything in project ${projectId}`),
  );

  withJson(autopilot.command('resume').description('ready tasks start again').argument('<project>', 'project id', parseId)).action(async (projectId: string, o: JsonOpt) =>
    written(o, await ctx.api().post(`${projectPath(projectId)}/autopilot/resume`, {}), `autopilot resumed for project ${projectId}`),
  );

  withJson(autopilot.command('merge').description("merge a task's attempt now (after its conflict was resolved)").argument('<task>', 'task id', parseId)).action(async (taskId: string, o: JsonOpt) =>
    written(o, await ctx.api().post(`${taskPath(taskId)}/autopilot-merge`, {}), `merge of task ${taskId} requested`),
  );

  const task = program.commands.find((c) => c.name() === 'task');
  if (!task) throw new Error('register the task commands before the autopilot ones');

  withJson(
    task
      .command('decompose')
      .description('start a planner session: it splits the task into subtasks with dependencies (DECOMPOSE) or keeps it whole (EXECUTE)')
      .argument('<task>', 'task id', parseId)
      .option('--depth <n>', 'recurse into the subtasks (1-5)', depth)
      .option('--planner <id>', 'session template of the planner', parseId),
  ).action(async (taskId: string, o: JsonOpt & { depth?: number; planner?: string }) => {
    const res = await ctx.api().post(`${taskPath(taskId)}/decompose`, defined({ depth: o.depth, plannerTemplateId: o.planner }));
    written(o, res, `planner session ${res.id} is planning task ${taskId}`);
  });

  withJson(
    task
      .command('plan')
      .description("record a planner's decision for a task it plans (planner agents; people too)")
      .argument('<task>', 'task id', parseId)
      .option('--execute', 'the task runs as one piece')
      .option('--decompose', 'the subtasks created under it run instead')
      .requiredOption('--reason <text>', 'why (it goes on the task timeline)'),
  ).action(async (taskId: string, o: JsonOpt & { execute?: boolean; decompose?: boolean; reason: string }) => {
    if (!!o.execute === !!o.decompose) throw new CliError('say --execute or --decompose (one of them)', 2);
    const res = await ctx.api().post(`${taskPath(taskId)}/plan`, { decision: o.execute ? 'execute' : 'decompose', reason: o.reason });
    written(o, res, `plan recorded for task ${taskId}: ${o.execute ? 'EXECUTE' : 'DECOMPOSE'}`);
  });

  withJson(
    task
      .command('review-plan')
      .description('accept a proposed subtree (it runs) or reject it (it is removed)')
      .argument('<task>', 'task id', parseId)
      .option('--accept', 'run the subtasks')
      .option('--reject', 'remove the subtasks')
      .option('--reason <text>', 'why'),
  ).action(async (taskId: string, o: JsonOpt & { accept?: boolean; reject?: boolean; reason?: string }) => {
    if (!!o.accept === !!o.reject) throw new CliError('say --accept or --reject (one of them)', 2);
    const res = await ctx.api().post(`${taskPath(taskId)}/plan/review`, { accept: !!o.accept, reason: o.reason ?? '' });
    written(o, res, `plan of task ${taskId} ${o.accept ? 'accepted' : 'rejected'}`);
  });
}
