import type { Command } from 'commander';
import type { Page, ProjectView } from '@baton/contracts';
import { CliError } from '../api-client';
import { emit, type Ctx } from '../context';
import { projectPath as path, writtenBy, type JsonOpt } from './shared';
import { choice, defined, keyValue, parseId, positiveInt, nonNegativeInt, withJson, withMinSeq } from '../options';
import { formatRecord, formatTable } from '../output';
import { registerProjectMemberCommands } from './project-members';

const row = (p: ProjectView) => ({
  ...p,
  repository: p.repository.location,
  branch: p.repository.defaultBranch,
  concurrency: p.concurrencyLimit ?? 'unlimited',
});
const SHOW_FIELDS = ['id', 'name', 'status', 'repository', 'branch', 'concurrency', 'envKeys', 'createdAt', 'updatedAt'];

interface ReadOpts extends JsonOpt {
  minSeq?: number;
}

export function registerProjectCommands(program: Command, ctx: Ctx): void {
  const project = program.command('project').description('projects: a git repository and its tasks');
  const written = writtenBy(ctx);

  withJson(
    project
      .command('create')
      .description('create a project; prints its id')
      .requiredOption('--name <name>', 'project name')
      .requiredOption('--repo <location>', 'repository the runners clone: an absolute path, file:///path, https://host/path, ssh://host/path or user@host:path')
      .option('--branch <branch>', 'default branch', 'main')
      .option('--concurrency <n>', 'at most this many sessions at once', positiveInt)
      .option('--env <NAME=VALUE>', 'environment for its sessions (repeatable)', keyValue)
      .option('--idempotency-key <key>', 'resend-safe key'),
  ).action(async (o: { name: string; repo: string; branch: string; concurrency?: number; env?: Record<string, string>; idempotencyKey?: string } & JsonOpt) => {
    const res = await ctx.api().post(
      '/api/projects',
      { name: o.name, repository: { location: o.repo, defaultBranch: o.branch }, ...defined({ concurrencyLimit: o.concurrency, env: o.env }) },
      { headers: o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {} },
    );
    written(o, res, res.id);
  });

  withMinSeq(
    withJson(
      project
        .command('list')
        .description('list projects')
        .addOption(choice('--status <status>', 'only active or archived ones', ['active', 'archived']))
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('--offset <n>', 'skip this many', nonNegativeInt),
    ),
  ).action(async (o: { status?: string; limit?: number; offset?: number } & ReadOpts) => {
    const page = await ctx.api().get<Page<ProjectView>>('/api/projects', { status: o.status, limit: o.limit, offset: o.offset, minSeq: o.minSeq });
    emit(ctx, o.json, page, () => formatTable(page.items.map(row), ['id', 'name', 'repository', 'status']));
  });

  withMinSeq(withJson(project.command('show').description('show one project').argument('<id>', 'project id', parseId))).action(async (id: string, o: ReadOpts) => {
    const p = await ctx.api().get<ProjectView>(path(id), { minSeq: o.minSeq });
    emit(ctx, o.json, p, () => formatRecord(row(p), SHOW_FIELDS));
  });

  withJson(project.command('rename').description('rename a project').argument('<id>', 'project id', parseId).argument('<name>', 'the new name')).action(
    async (id: string, name: string, o: JsonOpt) => written(o, await ctx.api().post(`${path(id)}/rename`, { name }), `renamed project ${id}`),
  );

  withJson(
    project
      .command('update')
      .description('change settings: repository, default branch, concurrency, environment')
      .argument('<id>', 'project id', parseId)
      .option('--repo <location>', 'repository the runners clone (the forms of project create --repo)')
      .option('--branch <branch>', 'default branch')
      .option('--concurrency <n>', 'at most this many sessions at once', positiveInt)
      .option('--unlimited', 'no concurrency limit')
      .option('--env <NAME=VALUE>', 'replace the whole environment with these (repeatable)', keyValue)
      .option('--clear-env', 'remove every environment variable'),
  ).action(
    async (
      id: string,
      o: { repo?: string; branch?: string; concurrency?: number; unlimited?: boolean; env?: Record<string, string>; clearEnv?: boolean } & JsonOpt,
    ) => {
      if (o.concurrency !== undefined && o.unlimited) throw new CliError('give --concurrency or --unlimited, not both', 2);
      if (o.env && o.clearEnv) throw new CliError('give --env or --clear-env, not both', 2);
      const body: Record<string, unknown> = {};
      if (o.repo !== undefined || o.branch !== undefined) {
        // The repository is one setting: fill in the half that was not given.
        const current = o.repo !== undefined && o.branch !== undefined ? undefined : await ctx.api().get<ProjectView>(path(id));
        body.repository = { location: o.repo ?? current!.repository.location, defaultBranch: o.branch ?? current!.repository.defaultBranch };
      }
      if (o.concurrency !== undefined) body.concurrencyLimit = o.concurrency;
      if (o.unlimited) body.concurrencyLimit = null;
      if (o.env) body.env = o.env;
      if (o.clearEnv) body.env = {};
      if (!Object.keys(body).length) throw new CliError('name at least one setting to change: --repo, --branch, --concurrency, --unlimited, --env, --clear-env', 2);
      written(o, await ctx.api().patch(path(id), body), `updated project ${id}`);
    },
  );

  for (const [verb, done] of [
    ['archive', 'archived'],
    ['unarchive', 'unarchived'],
  ] as const) {
    withJson(project.command(verb).description(`${verb} a project`).argument('<id>', 'project id', parseId)).action(async (id: string, o: JsonOpt) =>
      written(o, await ctx.api().post(`${path(id)}/${verb}`), `${done} project ${id}`),
    );
  }

  withJson(
    project
      .command('delete')
      .description('delete a project (the API refuses while it still has work going on)')
      .argument('<id>', 'project id', parseId)
      .option('--yes', 'really delete it'),
  ).action(async (id: string, o: { yes?: boolean } & JsonOpt) => {
    if (!o.yes) throw new CliError(`deleting project ${id} cannot be undone; pass --yes to go ahead`, 2);
    written(o, await ctx.api().delete(path(id)), `deleted project ${id}`);
  });

  registerProjectMemberCommands(project, ctx);
}
