import type { Command } from 'commander';
import { CliError } from '../api-client';
import { emit, type Ctx, type Env } from '../context';
import { readManifest } from '../demo-agent/manifest';
import { parseId, withJson } from '../options';
import { ownSessionId } from '../sessions/agent-env';
import { SessionApi } from '../sessions/session-api';
import type { QueueTask } from '../sessions/session-views';
import { withSession, type SessionOpt } from './report';
import { writtenBy, type JsonOpt } from './shared';

/** Exit code of `baton queue next` when nothing is left: a loop's `while baton queue next; do …; done` ends there. */
export const QUEUE_EMPTY_EXIT = 3;

export function formatQueueTask(t: QueueTask): string {
  const lines = [`${t.id}  ${t.title}`];
  if (t.description.trim()) lines.push('', t.description.trimEnd());
  if (t.acceptanceCriteria.length) lines.push('', 'Acceptance criteria:', ...t.acceptanceCriteria.map((c) => `  - ${c}`));
  return `${lines.join('\n')}\n`;
}

/** The session's tasks as its manifest lists them (what `queue next` prints; an agent's token may not read tasks). */
function manifestTasks(env: Env): (taskId: string) => QueueTask | undefined {
  let tasks: QueueTask[] = [];
  try {
    tasks = readManifest(env).tasks;
  } catch {
    tasks = [];
  }
  return (taskId) => tasks.find((t) => t.id === taskId);
}

const text = (words: string[] | undefined) => (words ?? []).join(' ').trim();

/** `baton queue …`: a queue-strategy session takes its tasks one at a time. */
export function registerQueueCommands(program: Command, ctx: Ctx): void {
  const queue = program.command('queue').description("work a queue session's tasks in order (acts on $BATON_SESSION_ID)");
  const written = writtenBy(ctx);
  const sessions = () => new SessionApi(ctx.api());

  withJson(withSession(queue.command('next').description(`take the next task and print it; exit ${QUEUE_EMPTY_EXIT} when the queue is empty`))).action(async (o: SessionOpt & JsonOpt) => {
    const id = ownSessionId(ctx.env, o.session);
    const next = await sessions().queueNext(id, manifestTasks(ctx.env));
    if (!next.task) throw new CliError(`nothing left in the queue (${next.reason})`, QUEUE_EMPTY_EXIT);
    const task = next.task;
    emit(ctx, o.json, task, () => formatQueueTask(task));
  });

  withJson(withSession(queue.command('complete').description('the task in progress is done').argument('[summary...]', 'what was done').option('--task <id>', 'the task (default: the one in progress)', parseId))).action(
    async (words: string[], o: SessionOpt & JsonOpt & { task?: string }) => {
      const id = ownSessionId(ctx.env, o.session);
      written(o, await sessions().queue(id, 'complete', { taskId: o.task, message: text(words) }), `completed ${o.task ?? 'the task in progress'}`);
    },
  );

  withJson(withSession(queue.command('fail').description('the task in progress cannot be done').argument('<reason...>', 'why').option('--task <id>', 'the task (default: the one in progress)', parseId))).action(
    async (words: string[], o: SessionOpt & JsonOpt & { task?: string }) => {
      const reason = text(words);
      if (!reason) throw new CliError('say why it failed', 2);
      const id = ownSessionId(ctx.env, o.session);
      written(o, await sessions().queue(id, 'fail', { taskId: o.task, reason }), `failed ${o.task ?? 'the task in progress'}`);
    },
  );

  withJson(withSession(queue.command('skip').description('a task should not be done (default: the one in progress)').argument('[reason...]', 'why').option('--task <id>', 'the task', parseId))).action(
    async (words: string[], o: SessionOpt & JsonOpt & { task?: string }) => {
      const id = ownSessionId(ctx.env, o.session);
      written(o, await sessions().queue(id, 'skip', { taskId: o.task, reason: text(words) }), `skipped ${o.task ?? 'the task in progress'}`);
    },
  );
}
