import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../api-client';
import type { Ctx } from '../context';
import { nonNegativeInt, parseId, withJson } from '../options';
import { ownSessionId } from '../sessions/agent-env';
import { formatPercent, parseProgress } from '../sessions/progress';
import { SessionApi, type AgentStatus, type ReportKind } from '../sessions/session-api';
import { writtenBy, type JsonOpt } from './shared';

export interface SessionOpt {
  session?: string;
}

/** Every agent command acts on BATON_SESSION_ID unless told otherwise. */
export const withSession = (cmd: Command) => cmd.option('--session <id>', 'the session to report on (default: $BATON_SESSION_ID)', parseId);

const text = (words: string[] | undefined) => (words ?? []).join(' ').trim();

function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number, 0 or more');
  return n;
}

/** `needs-input` and `needs_input` both name the status. */
export function parseAgentStatus(v: string): AgentStatus {
  const s = v.trim().toLowerCase().replace(/-/g, '_');
  if (s === 'working' || s === 'idle' || s === 'needs_input' || s === 'completed' || s === 'failed') return s;
  throw new InvalidArgumentError('must be working, idle, needs-input, completed or failed');
}

/** `baton report …`: what an agent says about itself, onto its session's timeline. */
export function registerReportCommands(program: Command, ctx: Ctx): void {
  const report = program.command('report').description("report from inside a session: progress, milestones, questions, errors, status, usage (acts on $BATON_SESSION_ID)");
  const written = writtenBy(ctx);
  const sessions = () => new SessionApi(ctx.api());
  const send = async (o: SessionOpt & JsonOpt & { task?: string }, kind: ReportKind, message: string, extra: { progress?: number } = {}, done?: string) => {
    const id = ownSessionId(ctx.env, o.session);
    const res = await sessions().report(id, { kind, message, taskId: o.task ?? null, progress: extra.progress ?? null });
    written(o, res, done ?? `reported ${kind.replace('_', ' ')}`);
  };
  const taskOpt = (cmd: Command) => cmd.option('--task <id>', 'the task it is about (default: the one in progress)', parseId);

  withJson(withSession(taskOpt(report.command('progress').description('how far along: a fraction 0..1 or a percentage, and what is done').argument('<progress>', '0..1 or NN%', parseProgress).argument('[message...]', 'what is done')))).action(
    (progress: number, words: string[], o: SessionOpt & JsonOpt & { task?: string }) => send(o, 'progress', text(words), { progress }, `reported progress ${formatPercent(progress)}`),
  );

  const simple: [string, ReportKind, string, string][] = [
    ['milestone', 'milestone', 'something worth showing on the timeline happened', 'message'],
    ['needs-input', 'needs_input', 'ask a person; the session shows needs-input until someone answers in its terminal', 'question'],
    ['error', 'error', 'something failed but you carry on', 'message'],
  ];
  for (const [name, kind, description, what] of simple) {
    withJson(withSession(taskOpt(report.command(name).description(description).argument(`<${what}...>`, `the ${what}`)))).action((words: string[], o: SessionOpt & JsonOpt & { task?: string }) => {
      const message = text(words);
      if (!message) throw new CliError(`give the ${what}`, 2);
      return send(o, kind, message);
    });
  }

  // The manifest's simple-strategy vocabulary: `baton report task-started <taskId>` …
  const taskKinds: [string, ReportKind][] = [
    ['task-started', 'task_started'],
    ['task-completed', 'task_completed'],
    ['task-failed', 'task_failed'],
    ['task-skipped', 'task_skipped'],
    ['task-blocked', 'task_blocked'],
  ];
  for (const [name, kind] of taskKinds) {
    withJson(withSession(report.command(name).description(`${name.replace('-', ' ')}: moves the task in this session (default: the one in progress, or the only one)`).argument('[task]', 'task id', parseId).argument('[message...]', 'summary or reason'))).action(
      (task: string | undefined, words: string[], o: SessionOpt & JsonOpt) => send({ ...o, task }, kind, text(words), {}, `reported ${name.replace('-', ' ')}${task ? ` for ${task}` : ''}`),
    );
  }

  withJson(
    withSession(
      report
        .command('status')
        .description('say what state you are in; completed/failed end the session')
        .argument('<status>', 'working | idle | needs-input | completed | failed', parseAgentStatus)
        .argument('[message...]', 'why, or a summary'),
    ),
  ).action(async (status: AgentStatus, words: string[], o: SessionOpt & JsonOpt) => {
    const id = ownSessionId(ctx.env, o.session);
    written(o, await sessions().status(id, status, text(words)), `reported status ${status.replace('_', '-')}`);
  });

  withJson(
    withSession(
      report
        .command('usage')
        .description('tokens and money spent since the last report (a delta)')
        .option('--input-tokens <n>', 'input tokens', nonNegativeInt)
        .option('--output-tokens <n>', 'output tokens', nonNegativeInt)
        .option('--cache-read-tokens <n>', 'cache read tokens', nonNegativeInt)
        .option('--cache-write-tokens <n>', 'cache write tokens', nonNegativeInt)
        .option('--cost-usd <usd>', 'cost in US dollars', nonNegativeNumber)
        .option('--input <n>', 'same as --input-tokens', nonNegativeInt)
        .option('--output <n>', 'same as --output-tokens', nonNegativeInt)
        .option('--cost <usd>', 'same as --cost-usd', nonNegativeNumber)
        .option('--model <name>', 'the model that spent it'),
    ),
  ).action(
    async (
      o: SessionOpt &
        JsonOpt & {
          inputTokens?: number;
          outputTokens?: number;
          cacheReadTokens?: number;
          cacheWriteTokens?: number;
          costUsd?: number;
          input?: number;
          output?: number;
          cost?: number;
          model?: string;
        },
    ) => {
      const usage = {
        inputTokens: o.inputTokens ?? o.input,
        outputTokens: o.outputTokens ?? o.output,
        cacheReadTokens: o.cacheReadTokens,
        cacheWriteTokens: o.cacheWriteTokens,
        costUsd: o.costUsd ?? o.cost,
        model: o.model ?? null,
      };
      if ([usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWriteTokens, usage.costUsd].every((v) => v === undefined)) {
        throw new CliError('give at least one of --input-tokens, --output-tokens, --cache-read-tokens, --cache-write-tokens, --cost-usd', 2);
      }
      const id = ownSessionId(ctx.env, o.session);
      written(o, await sessions().usage(id, usage), 'reported usage');
    },
  );
}
