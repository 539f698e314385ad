import type { Command } from 'commander';
import type { AttemptMessage, AttemptView, Page } from '@baton/contracts';
import { ATTEMPT_OUTCOMES, MessageKindSchema, MessageRoleSchema } from '@baton/events';
import { CliError, type CommandAccepted } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, defined, nonNegativeInt, parseId, positiveInt, textFrom, withJson, withMinSeq } from '../options';
import { formatRecord, formatTable } from '../output';
import { attemptPath, taskPath, writtenBy, type JsonOpt } from './shared';

const ATTEMPT_STATUSES = ['active', 'in_review', ...ATTEMPT_OUTCOMES];
const SHOW_FIELDS = [
  'id',
  'taskId',
  'number',
  'status',
  'branch',
  'baseBranch',
  'baseCommit',
  'worktreePath',
  'runnerId',
  'promptVersionId',
  'sessionTemplateId',
  'messageCount',
  'sessionCount',
  'startedAt',
  'finishedAt',
  'finishReason',
];

export function formatMessages(messages: readonly AttemptMessage[]): string {
  if (!messages.length) return '(no messages)\n';
  return messages.map((m) => `── ${m.role} · ${m.kind} · ${m.at}\n${m.text.trimEnd()}\n`).join('\n');
}

export function registerAttemptCommands(program: Command, ctx: Ctx): void {
  const attempt = program.command('attempt').description("attempts: one try at a task, on its own branch, with its conversation");
  const written = writtenBy(ctx);

  withMinSeq(withJson(attempt.command('show').description('show an attempt').argument('<attempt>', 'attempt id', parseId))).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      const a = await ctx.api().get<AttemptView>(attemptPath(id), { minSeq: o.minSeq });
      emit(ctx, o.json, a, () => formatRecord(a, SHOW_FIELDS));
    },
  );

  withMinSeq(
    withJson(
      attempt
        .command('list')
        .description("a task's attempts, oldest first")
        .argument('<task>', 'task id', parseId)
        .addOption(choice('--status <status>', 'only attempts in this status', ATTEMPT_STATUSES))
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('--offset <n>', 'skip this many', nonNegativeInt),
    ),
  ).action(async (taskId: string, o: { status?: string; limit?: number; offset?: number; minSeq?: number } & JsonOpt) => {
    const page = await ctx.api().get<Page<AttemptView>>(`${taskPath(taskId)}/attempts`, { status: o.status, limit: o.limit, offset: o.offset, minSeq: o.minSeq });
    emit(ctx, o.json, page, () => formatTable(page.items, ['id', 'number', 'status', 'branch', 'startedAt', 'finishedAt']));
  });

  withJson(
    attempt
      .command('follow-up')
      .description("send a follow-up to the attempt's agent: into its running session, or a new session that resumes its conversation")
      .argument('<attempt>', 'attempt id', parseId)
      .argument('[text]', 'the follow-up')
      .option('--file <path>', 'read it from a file ("-": standard input)')
      .option('--template <id>', "when no session runs: start one of this template (default: like the attempt's last session); either resumes the conversation", parseId),
  ).action(async (id: string, inline: string | undefined, o: { file?: string; template?: string } & JsonOpt) => {
    const text = await textFrom(ctx, inline, o.file, 'follow-up');
    if (!text) throw new CliError('give the follow-up as an argument or with --file', 2);
    const res = await ctx.api().post<CommandAccepted & { sessionId: string }>(`${attemptPath(id)}/follow-up`, { text, templateId: o.template ?? null });
    written(o, res, `sent the follow-up to session ${res.sessionId}`);
  });

  withJson(
    attempt
      .command('message')
      .description("add a message to an attempt's conversation")
      .argument('<attempt>', 'attempt id', parseId)
      .argument('[text]', 'the message')
      .option('--file <path>', 'read the message from a file ("-": standard input)')
      .addOption(choice('--role <role>', 'who says it', MessageRoleSchema.options).default('user'))
      .addOption(choice('--kind <kind>', 'what kind of message', MessageKindSchema.options).default('follow_up'))
      .option('--session <id>', 'the session it belongs to', parseId),
  ).action(async (id: string, inline: string | undefined, o: { file?: string; role: string; kind: string; session?: string } & JsonOpt) => {
    const text = await textFrom(ctx, inline, o.file, 'message');
    if (text === undefined) throw new CliError('give the message as an argument or with --file', 2);
    const res = await ctx.api().post(`${attemptPath(id)}/messages`, { role: o.role, kind: o.kind, text, ...defined({ sessionId: o.session }) });
    written(o, res, `added a message to attempt ${id}`);
  });

  withMinSeq(
    withJson(
      attempt
        .command('messages')
        .description("an attempt's conversation, in order")
        .argument('<attempt>', 'attempt id', parseId)
        .option('--after <seq>', 'only messages after this sequence', nonNegativeInt)
        .option('--limit <n>', 'at most this many', positiveInt),
    ),
  ).action(async (id: string, o: { after?: number; limit?: number; minSeq?: number } & JsonOpt) => {
    const page = await ctx.api().get<{ items: AttemptMessage[]; nextAfterSeq: number }>(`${attemptPath(id)}/messages`, { afterSeq: o.after, limit: o.limit, minSeq: o.minSeq });
    emit(ctx, o.json, page, () => formatMessages(page.items));
  });

  withJson(
    attempt
      .command('finish')
      .description('finish an attempt')
      .argument('<attempt>', 'attempt id', parseId)
      .addOption(choice('--outcome <outcome>', 'how it ended', ATTEMPT_OUTCOMES).makeOptionMandatory())
      .option('--reason <text>', 'why'),
  ).action(async (id: string, o: { outcome: string; reason?: string } & JsonOpt) =>
    written(o, await ctx.api().post(`${attemptPath(id)}/finish`, { outcome: o.outcome, ...defined({ reason: o.reason }) }), `finished attempt ${id} as ${o.outcome}`),
  );

  withJson(
    attempt.command('review').description("ask for review of an attempt's work").argument('<attempt>', 'attempt id', parseId).option('--summary <text>', 'what was done'),
  ).action(async (id: string, o: { summary?: string } & JsonOpt) =>
    written(o, await ctx.api().post(`${attemptPath(id)}/review`, defined({ summary: o.summary })), `attempt ${id} is in review`),
  );

  withJson(
    attempt
      .command('request-changes')
      .description('send an attempt in review back to work; the comment goes to the agent')
      .argument('<attempt>', 'attempt id', parseId)
      .option('--comment <text>', 'what to change'),
  ).action(async (id: string, o: { comment?: string } & JsonOpt) =>
    written(o, await ctx.api().post(`${attemptPath(id)}/changes`, defined({ comment: o.comment })), `asked for changes on attempt ${id}`),
  );
}
