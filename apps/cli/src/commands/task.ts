import type { Command } from 'commander';
import type { Page, TaskBoard, TaskView } from '@baton/contracts';
import { DEPENDENCY_CONDITIONS, EXECUTION_MODES, TASK_STATUSES } from '@baton/events';
import { CliError, seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, collect, defined, dependencySpec, nonNegativeInt, parseId, parsePriority, positiveInt, textFrom, withJson, withMinSeq } from '../options';
import { formatRecord, formatTable } from '../output';
import { registerTaskLifecycleCommands } from './task-lifecycle';
import { taskPath, writtenBy, type JsonOpt } from './shared';

const listRow = (t: Pick<TaskView, 'id' | 'number' | 'priority' | 'title'> & Partial<TaskView>) => ({
  ...t,
  number: `#${t.number}`,
  priority: `P${t.priority}`,
  dependsOn: t.dependsOn?.map((d) => (d.condition === 'success' ? d.taskId : `${d.taskId}:${d.condition}`)),
  blockedBy: t.blockedBy?.map((b) => `${b.taskId} is ${b.status}${b.via ? ` (via ${b.via})` : ''}`),
});
const SHOW_FIELDS = ['id', 'number', 'title', 'status', 'priority', 'executionMode', 'labels', 'parentId', 'childCount', 'dependsOn', 'dependants', 'blockedBy', 'activeAttemptId', 'attemptCount', 'createdAt', 'updatedAt'];

export function formatTask(t: TaskView): string {
  const criteria = t.acceptanceCriteria.length ? `\nAcceptance criteria:\n${t.acceptanceCriteria.map((c) => `  - ${c}`).join('\n')}\n` : '';
  const description = t.description ? `\n${t.description.trimEnd()}\n` : '';
  return formatRecord(listRow(t), SHOW_FIELDS) + description + criteria;
}

/** The columns that hold tasks, left to right, each as an indented table. */
export function formatBoard(board: TaskBoard): string {
  const columns = board.columns.filter((c) => c.tasks.length);
  if (!columns.length) return '(no tasks)\n';
  return columns
    .map((c) => `${c.status.toUpperCase()} (${c.tasks.length})\n${formatTable(c.tasks.map(listRow), ['id', 'number', 'priority', 'title']).replace(/^(?=.)/gm, '  ')}`)
    .join('\n');
}

interface DetailOpts {
  title?: string;
  description?: string;
  descriptionFile?: string;
  criterion?: string[];
  priority?: number;
  label?: string[];
  mode?: string;
}

const detailOptions = (cmd: Command, creating: boolean) =>
  cmd
    .option('--description <text>', 'what to do, in Markdown')
    .option('--description-file <path>', 'read the description from a file ("-": standard input)')
    .option('--criterion <text>', `an acceptance criterion (repeatable${creating ? '' : '; replaces the list'})`, collect)
    .option('--priority <p>', '0 (most urgent) to 4', parsePriority)
    .option('--label <label>', `a label (repeatable${creating ? '' : '; replaces the list'})`, collect)
    .addOption(choice('--mode <mode>', 'execution mode', EXECUTION_MODES));

async function details(ctx: Ctx, o: DetailOpts) {
  return defined({
    title: o.title,
    description: await textFrom(ctx, o.description, o.descriptionFile, 'description'),
    acceptanceCriteria: o.criterion,
    priority: o.priority,
    labels: o.label,
    executionMode: o.mode,
  });
}

export function registerTaskCommands(program: Command, ctx: Ctx): void {
  const task = program.command('task').description('tasks: a tree of work with dependencies, worked in attempts');
  const written = writtenBy(ctx);

  withJson(
    detailOptions(
      task
        .command('create')
        .description('create a task in a project; prints its id')
        .argument('<project>', 'project id', parseId)
        .requiredOption('--title <title>', 'what the task is, in a line')
        .option('--parent <task>', 'make it a subtask of this task', parseId)
        .option('--depends-on <task[:condition]>', `a task it waits for; condition ${DEPENDENCY_CONDITIONS.join('|')} (repeatable)`, dependencySpec(DEPENDENCY_CONDITIONS)),
      true,
    ).option('--idempotency-key <key>', 'resend-safe key'),
  ).action(async (projectId: string, o: DetailOpts & { parent?: string; dependsOn?: { taskId: string; condition: string }[]; idempotencyKey?: string } & JsonOpt) => {
    const body = { ...(await details(ctx, o)), ...defined({ parentId: o.parent, dependsOn: o.dependsOn }) };
    const headers: Record<string, string> = o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {};
    const res = await ctx.api().post(`/api/projects/${seg(projectId)}/tasks`, body, { headers });
    written(o, res, res.id);
  });

  withMinSeq(
    withJson(
      task
        .command('list')
        .description("list a project's tasks")
        .argument('<project>', 'project id', parseId)
        .addOption(choice('--status <status>', 'only tasks in this status', TASK_STATUSES))
        .option('--parent <task>', 'only direct subtasks of this task', parseId)
        .option('--roots', 'only top-level tasks')
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('--offset <n>', 'skip this many', nonNegativeInt),
    ),
  ).action(async (projectId: string, o: { status?: string; parent?: string; roots?: boolean; limit?: number; offset?: number; minSeq?: number } & JsonOpt) => {
    if (o.parent && o.roots) throw new CliError('give --parent or --roots, not both', 2);
    const query = { status: o.status, parentId: o.roots ? 'null' : o.parent, limit: o.limit, offset: o.offset, minSeq: o.minSeq };
    const page = await ctx.api().get<Page<TaskView>>(`/api/projects/${seg(projectId)}/tasks`, query);
    emit(ctx, o.json, page, () => formatTable(page.items.map(listRow), ['id', 'number', 'status', 'priority', 'title', 'dependsOn']));
  });

  withMinSeq(withJson(task.command('show').description('show a task').argument('<task>', 'task id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const t = await ctx.api().get<TaskView>(taskPath(id), { minSeq: o.minSeq });
      emit(ctx, o.json, t, () => formatTask(t));
    },
  );

  withJson(
    detailOptions(task.command('update').description("edit a task's details").argument('<task>', 'task id', parseId).option('--title <title>', 'new title'), false)
      .option('--clear-criteria', 'remove every acceptance criterion')
      .option('--clear-labels', 'remove every label'),
  ).action(async (id: string, o: DetailOpts & { clearCriteria?: boolean; clearLabels?: boolean } & JsonOpt) => {
    if (o.criterion && o.clearCriteria) throw new CliError('give --criterion or --clear-criteria, not both', 2);
    if (o.label && o.clearLabels) throw new CliError('give --label or --clear-labels, not both', 2);
    const body = { ...(await details(ctx, o)), ...(o.clearCriteria ? { acceptanceCriteria: [] } : {}), ...(o.clearLabels ? { labels: [] } : {}) };
    if (!Object.keys(body).length) throw new CliError('name at least one change: --title, --description, --criterion, --priority, --label, --mode', 2);
    written(o, await ctx.api().patch(taskPath(id), body), `updated task ${id}`);
  });

  withJson(
    task
      .command('move')
      .description('move a task with its subtree under another parent, or to the top level')
      .argument('<task>', 'task id', parseId)
      .option('--parent <task>', 'the new parent', parseId)
      .option('--root', 'make it a top-level task'),
  ).action(async (id: string, o: { parent?: string; root?: boolean } & JsonOpt) => {
    if (!o.parent === !o.root) throw new CliError('give either --parent <task> or --root', 2);
    written(o, await ctx.api().post(`${taskPath(id)}/move`, { parentId: o.root ? null : o.parent }), `moved task ${id}`);
  });

  withJson(
    task
      .command('depend')
      .description('make a task wait for another')
      .argument('<task>', 'the task that waits', parseId)
      .argument('<depends-on>', 'the task it waits for', parseId)
      .addOption(choice('--condition <condition>', 'what the other task must end as', DEPENDENCY_CONDITIONS).default('success')),
  ).action(async (id: string, dependsOn: string, o: { condition: string } & JsonOpt) =>
    written(o, await ctx.api().post(`${taskPath(id)}/dependencies`, { dependsOnTaskId: dependsOn, condition: o.condition }), `task ${id} now depends on ${dependsOn}`),
  );

  withJson(
    task
      .command('undepend')
      .description('remove a dependency')
      .argument('<task>', 'the task that waits', parseId)
      .argument('<depends-on>', 'the task it no longer waits for', parseId),
  ).action(async (id: string, dependsOn: string, o: JsonOpt) =>
    written(o, await ctx.api().delete(`${taskPath(id)}/dependencies/${seg(dependsOn)}`), `task ${id} no longer depends on ${dependsOn}`),
  );

  withJson(task.command('remove').description('remove a task and its subtree').argument('<task>', 'task id', parseId).option('--yes', 'really remove it')).action(
    async (id: string, o: { yes?: boolean } & JsonOpt) => {
      if (!o.yes) throw new CliError(`removing task ${id} removes its subtree too; pass --yes to go ahead`, 2);
      written(o, await ctx.api().delete(taskPath(id)), `removed task ${id}`);
    },
  );

  withMinSeq(
    withJson(
      task
        .command('board')
        .description("a project's kanban: leaf tasks by status, most urgent first")
        .argument('<project>', 'project id', parseId)
        .option('--parent <task>', 'only the subtree of this task', parseId),
    ),
  ).action(async (projectId: string, o: { parent?: string; minSeq?: number } & JsonOpt) => {
    const board = await ctx.api().get<TaskBoard>(`/api/projects/${seg(projectId)}/board`, { parentId: o.parent, minSeq: o.minSeq });
    emit(ctx, o.json, board, () => formatBoard(board));
  });

  registerTaskLifecycleCommands(task, ctx);
}
