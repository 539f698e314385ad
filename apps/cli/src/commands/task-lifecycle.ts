import { Option, type Command } from 'commander';
import { CliError } from '../api-client';
import type { TaskUnblocks } from '@baton/contracts';
import { emit, type Ctx } from '../context';
import { choice, defined, keyValue, parseId, withJson, withMinSeq } from '../options';
import { formatTable } from '../output';
import { inSession, ownSessionId } from '../sessions/agent-env';
import { SessionApi } from '../sessions/session-api';
import { taskPath, writtenBy, type JsonOpt } from './shared';

/** Finishing, reopening and starting work on a task; what finishing it would unblock; its history. */
export function registerTaskLifecycleCommands(task: Command, ctx: Ctx): void {
  const written = writtenBy(ctx);

  const verbs = [
    ['cancel', 'cancelled', 'cancel a task (on a parent: its unfinished subtree)'],
    ['reopen', 'reopened', 'reopen a done, failed or cancelled task'],
  ] as const;
  for (const [verb, done, description] of verbs) {
    withJson(task.command(verb).description(description).argument('<task>', 'task id', parseId).option('--reason <text>', 'why')).action(async (id: string, o: { reason?: string } & JsonOpt) =>
      written(o, await ctx.api().post(`${taskPath(id)}/${verb}`, defined({ reason: o.reason })), `${done} task ${id}`),
    );
  }

  /*
   * Inside a session (BATON_SESSION_ID, or --session) these report through the session, on
   * its own task by default: the timeline gets task_completed/failed/blocked/skipped and
   * the session's item moves. Outside one (or with --no-session) an operator finishes a
   * task directly, naming it.
   */
  const finishing = [
    ['complete', 'task_completed', 'completed', 'mark a task done (inside a session: your task in progress)'],
    ['fail', 'task_failed', 'failed', 'mark a task failed (inside a session: your task in progress)'],
    ['block', 'task_blocked', 'blocked', 'inside a session: say your task cannot go on (waits on something)'],
    ['skip', 'task_skipped', 'skipped', 'inside a session: skip a task of yours'],
  ] as const;
  for (const [verb, kind, done, description] of finishing) {
    withJson(
      task
        .command(verb)
        .description(description)
        .argument('[task]', 'task id (inside a session: default the one in progress)', parseId)
        .option('--reason <text>', verb === 'fail' ? 'why it failed' : 'why, or a summary')
        .option('--session <id>', 'report through this session (default: $BATON_SESSION_ID)', parseId)
        .option('--no-session', 'act on the task directly, as an operator, even inside a session'),
    ).action(async (id: string | undefined, o: { reason?: string; session?: string | false } & JsonOpt) => {
      if (inSession(ctx.env, o.session)) {
        const sessionId = ownSessionId(ctx.env, o.session);
        const res = await new SessionApi(ctx.api()).report(sessionId, { kind, message: o.reason ?? '', taskId: id ?? null });
        return written(o, res, `${done} ${id ? `task ${id}` : 'the task in progress'} (session ${sessionId})`);
      }
      if (verb === 'block' || verb === 'skip') throw new CliError(`task ${verb} reports from inside a session; set BATON_SESSION_ID or pass --session (operators: task cancel)`, 2);
      if (!id) throw new CliError('name the task', 2);
      if (verb === 'fail' && !o.reason) throw new CliError('say why it failed with --reason', 2);
      written(o, await ctx.api().post(`${taskPath(id)}/${verb}`, defined({ reason: o.reason })), `${done} task ${id}`);
    });
  }

  withMinSeq(
    withJson(
      task
        .command('unblocks')
        .description('which tasks finishing this one would make ready')
        .argument('<task>', 'task id', parseId)
        .addOption(choice('--as <outcome>', 'finishing it as', ['done', 'failed']).default('done')),
    ),
  ).action(async (id: string, o: { as: string; minSeq?: number } & JsonOpt) => {
    const res = await ctx.api().get<TaskUnblocks>(`${taskPath(id)}/unblocks`, { as: o.as, minSeq: o.minSeq });
    emit(ctx, o.json, res, () => formatTable(res.tasks.map((t) => ({ ...t, number: `#${t.number}` })), ['id', 'number', 'title']));
  });

  withMinSeq(withJson(task.command('history').description("a task's history, as Markdown").argument('<task>', 'task id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const markdown = await ctx.api().get<string>(`${taskPath(id)}/history`, { minSeq: o.minSeq }, { text: true });
      emit(ctx, o.json, { taskId: id, markdown }, () => (markdown.endsWith('\n') ? markdown : `${markdown}\n`));
    },
  );

  withJson(
    task
      .command('start-attempt')
      .description('start an attempt on a task (its own branch and worktree); prints the attempt id')
      .argument('<task>', 'task id', parseId)
      .option('--base-branch <branch>', "branch to start from (default: the project's)")
      .option('--prompt-version <id>', 'prompt version to open the conversation with', parseId)
      .option('--template <id>', 'session template to run the agent with', parseId)
      // The name it had before every command said --template: kept working, out of the help.
      .addOption(new Option('--session-template <id>').argParser(parseId).hideHelp())
      .option('--supersede', 'finish the active attempt as superseded instead of refusing')
      .option('--ignore-dependencies', 'start although its dependencies are not met')
      .option('--value <name=value>', "a value for the prompt version's variables (repeatable)", keyValue),
  ).action(
    async (
      id: string,
      o: { baseBranch?: string; promptVersion?: string; template?: string; sessionTemplate?: string; supersede?: boolean; ignoreDependencies?: boolean; value?: Record<string, string> } & JsonOpt,
    ) => {
      const body = defined({
        baseBranch: o.baseBranch,
        promptVersionId: o.promptVersion,
        sessionTemplateId: o.template ?? o.sessionTemplate,
        supersede: o.supersede,
        ignoreDependencies: o.ignoreDependencies,
        promptValues: o.value,
      });
      const res = await ctx.api().post(`${taskPath(id)}/attempts`, body);
      written(o, res, res.id);
    },
  );
}
