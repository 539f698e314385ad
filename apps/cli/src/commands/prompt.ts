import { Command, InvalidArgumentError } from 'commander';
import type { Page, PromptTemplateView, PromptVersionView } from '@baton/contracts';
import { CliError, seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { defined, keyValue, nonNegativeInt, parseId, positiveInt, textFrom, withJson, withMinSeq } from '../options';
import { formatRecord, formatTable } from '../output';
import { writtenBy, type JsonOpt } from './shared';

export interface PromptVariableInput {
  name: string;
  default?: string;
}

/** `--var name` (a value is required when rendering) or `--var name=default`; repeatable. */
export function promptVariable(v: string, prev: PromptVariableInput[] = []): PromptVariableInput[] {
  const i = v.indexOf('=');
  const name = i < 0 ? v : v.slice(0, i);
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new InvalidArgumentError(`variable name "${name}" must be lower-case letters, digits and "_", starting with a letter`);
  if (prev.some((p) => p.name === name)) throw new InvalidArgumentError(`variable "${name}" is given twice`);
  return [...prev, i < 0 ? { name } : { name, default: v.slice(i + 1) }];
}

interface BodyOpts {
  body?: string;
  bodyFile?: string;
  var?: PromptVariableInput[];
  note?: string;
}

const bodyOptions = (cmd: Command) =>
  cmd
    .option('--body <text>', 'the prompt; {{ name }} marks a variable, {{ task.title }} and friends are built in')
    .option('--body-file <path>', 'read the prompt from a file ("-": standard input)')
    .option('--var <name[=default]>', 'a declared variable, with its default (repeatable)', promptVariable)
    .option('--note <text>', 'what changed in this version');

async function versionBody(ctx: Ctx, o: BodyOpts) {
  const body = await textFrom(ctx, o.body, o.bodyFile, 'body');
  if (body === undefined) throw new CliError('give the prompt with --body or --body-file', 2);
  return { body, ...defined({ variables: o.var, note: o.note }) };
}

export function registerPromptCommands(program: Command, ctx: Ctx): void {
  const prompt = program.command('prompt').description('prompt templates: versioned prompts that open an attempt');
  const written = writtenBy(ctx);

  withJson(
    bodyOptions(
      prompt
        .command('create')
        .description('create a prompt template with its first version; prints its id')
        .requiredOption('--name <name>', 'template name')
        .option('--project <id>', 'belongs to this project (default: global)', parseId),
    ),
  ).action(async (o: BodyOpts & { name: string; project?: string } & JsonOpt) => {
    const res = await ctx.api().post('/api/prompt-templates', { name: o.name, ...defined({ projectId: o.project }), ...(await versionBody(ctx, o)) });
    written(o, res, res.id);
  });

  withMinSeq(
    withJson(
      prompt
        .command('list')
        .description("prompt templates: a project's and the global ones")
        .option('--project <id>', "include this project's templates", parseId)
        .option('--all', 'include archived templates')
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('--offset <n>', 'skip this many', nonNegativeInt),
    ),
  ).action(async (o: { project?: string; all?: boolean; limit?: number; offset?: number; minSeq?: number } & JsonOpt) => {
    const page = await ctx.api().get<Page<Omit<PromptTemplateView, 'versions'>>>('/api/prompt-templates', {
      projectId: o.project,
      includeArchived: o.all ? 'true' : undefined,
      limit: o.limit,
      offset: o.offset,
      minSeq: o.minSeq,
    });
    emit(ctx, o.json, page, () =>
      formatTable(
        page.items.map((t) => ({ ...t, projectId: t.projectId ?? '(global)', versions: t.versionCount })),
        ['id', 'name', 'projectId', 'status', 'versions', 'latestVersionId'],
      ),
    );
  });

  withMinSeq(withJson(prompt.command('show').description('show a template and its versions').argument('<template>', 'template id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const t = await ctx.api().get<PromptTemplateView>(`/api/prompt-templates/${seg(id)}`, { minSeq: o.minSeq });
      emit(ctx, o.json, t, () => {
        const versions = t.versions.map((v) => ({ ...v, variables: v.variables.map((x) => (x.default === null ? x.name : `${x.name}=${x.default}`)) }));
        const head = formatRecord({ ...t, projectId: t.projectId ?? '(global)' }, ['id', 'name', 'projectId', 'status', 'latestVersionId']);
        return `${head}\nVersions:\n${formatTable(versions, ['id', 'number', 'variables', 'note', 'createdAt'])}`;
      });
    },
  );

  withJson(
    bodyOptions(
      prompt
        .command('add-version')
        .description('add a version to a template; prints the new version id')
        .argument('<template>', 'template id', parseId)
        .option('--parent <version>', 'the version it derives from (default: the latest)', parseId),
    ),
  ).action(async (id: string, o: BodyOpts & { parent?: string } & JsonOpt) => {
    const res = await ctx.api().post<{ id: string; versionId: string }>(`/api/prompt-templates/${seg(id)}/versions`, {
      ...(await versionBody(ctx, o)),
      ...defined({ parentVersionId: o.parent }),
    });
    emit(ctx, o.json, res, () => `${res.versionId}\n`);
  });

  withJson(
    prompt
      .command('render')
      .description('the text a prompt version gives for a task')
      .argument('<version>', 'prompt version id', parseId)
      .requiredOption('--task <id>', 'the task to render it for', parseId)
      .option('--set <name=value>', 'a variable value (repeatable)', keyValue),
  ).action(async (versionId: string, o: { task: string; set?: Record<string, string> } & JsonOpt) => {
    const res = await ctx.api().post<{ text: string }>(`/api/prompt-versions/${seg(versionId)}/render`, { taskId: o.task, values: o.set ?? {} });
    emit(ctx, o.json, res, () => (res.text.endsWith('\n') ? res.text : `${res.text}\n`));
  });

  withMinSeq(withJson(prompt.command('version').description('show one prompt version').argument('<version>', 'prompt version id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const v = await ctx.api().get<PromptVersionView>(`/api/prompt-versions/${seg(id)}`, { minSeq: o.minSeq });
      emit(ctx, o.json, v, () => `${formatRecord({ ...v, variables: v.variables.map((x) => x.name) }, ['id', 'templateId', 'number', 'parentVersionId', 'variables', 'note', 'createdAt'])}\n${v.body.trimEnd()}\n`);
    },
  );

  withJson(prompt.command('rename').description('rename a template').argument('<template>', 'template id', parseId).argument('<name>', 'the new name')).action(
    async (id: string, name: string, o: JsonOpt) => written(o, await ctx.api().post(`/api/prompt-templates/${seg(id)}/rename`, { name }), `renamed prompt template ${id}`),
  );

  withJson(prompt.command('archive').description('archive a template').argument('<template>', 'template id', parseId)).action(async (id: string, o: JsonOpt) =>
    written(o, await ctx.api().post(`/api/prompt-templates/${seg(id)}/archive`), `archived prompt template ${id}`),
  );

  withMinSeq(
    withJson(
      prompt
        .command('metrics')
        .description('which prompt versions get work merged, and in how many tries')
        .option('--project <id>', "only this project's attempts", parseId)
        .option('--template <id>', "only this template's versions", parseId),
    ),
  ).action(async (o: { project?: string; template?: string; minSeq?: number } & JsonOpt) => {
    if (!o.project && !o.template) throw new CliError('give --project, --template or both', 2);
    const rows = await ctx.api().get<PromptVersionMetrics[]>('/api/prompt-metrics', { projectId: o.project, templateId: o.template, minSeq: o.minSeq });
    emit(ctx, o.json, rows, () =>
      formatTable(
        rows.map((r) => ({ ...r, completionRate: percent(r.completionRate) })),
        ['promptVersionId', 'attempts', 'finished', 'merged', 'completionRate', 'tasks', 'attemptsPerTask'],
      ),
    );
  });
}

const percent = (r: number | null) => (r === null ? null : `${Math.round(r * 1000) / 10}%`);

interface PromptVersionMetrics {
  promptVersionId: string;
  attempts: number;
  finished: number;
  merged: number;
  completionRate: number | null;
  tasks: number;
  attemptsPerTask: number;
}
