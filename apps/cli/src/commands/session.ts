import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { escapeUnsafeInJson } from '@baton/contracts';
import { CliError } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, collect, nonNegativeInt, parseId, positiveInt, textFrom, withJson, withMinSeq } from '../options';
import { ownSessionId, projectIdFrom, sessionRef } from '../sessions/agent-env';
import { attachTerminal } from '../sessions/attach';
import { formatSession, formatSessionList, formatTimeline } from '../sessions/format';
import { SessionApi, type ExportFormat } from '../sessions/session-api';
import { isFinal, type SessionView, type TimelineEntry } from '../sessions/session-views';
import { withSession, type SessionOpt } from './report';
import { writtenBy, type JsonOpt } from './shared';

/** A session id, or `self` for the caller's own. */
function sessionArg(v: string): string {
  return v === 'self' ? v : parseId(v);
}

const ROLES = ['worker', 'orchestrator', 'planner', 'service'] as const;
const STRATEGIES = ['simple', 'queue'] as const;
const INPUT_KINDS = ['text', 'prompt', 'follow_up', 'interrupt'] as const;
const STATUSES = ['pending', 'spawning', 'idle', 'working', 'needs_input', 'stalled', 'waiting_quota', 'lost', 'completed', 'failed', 'stopped', 'succeeded', 'exited'] as const;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exportFormat(v: string): ExportFormat {
  const f = v.toLowerCase();
  if (f === 'cast' || f === 'asciicast') return 'cast';
  if (f === 'md' || f === 'markdown') return 'md';
  throw new InvalidArgumentError('must be cast (asciicast v2) or md (Markdown transcript)');
}

/** Waits until a session ends; the final view. */
export async function waitForEnd(api: SessionApi, id: string, pollMs = 1_000, onChange?: (s: SessionView) => void): Promise<SessionView> {
  let last = '';
  for (;;) {
    const s = await api.get(id);
    if (s.status !== last) {
      last = s.status;
      onChange?.(s);
    }
    if (isFinal(s.status)) return s;
    await sleep(pollMs);
  }
}

/** `baton session …`: agents register and spawn workers; operators list, watch, steer, stop and export. */
export function registerSessionCommands(program: Command, ctx: Ctx): void {
  const session = program.command('session').description('sessions: one agent or command in a terminal on a runner');
  const written = writtenBy(ctx);
  const sessions = () => new SessionApi(ctx.api());

  withJson(withSession(session.command('register').description('an agent says it is up (moves its session to idle)').option('--agent <name>', 'what runs here, e.g. claude-code 1.2'))).action(
    async (o: SessionOpt & JsonOpt & { agent?: string }) => {
      const id = ownSessionId(ctx.env, o.session);
      written(o, await sessions().register(id, o.agent ?? null), `registered session ${id}`);
    },
  );

  withJson(
    session
      .command('spawn')
      .description('start a session from a template; with --parent self an agent spawns its own worker; prints the new id')
      .requiredOption('--template <id>', 'session template id (e.g. baton-demo-agent, claude-code)', parseId)
      .option('--task <id>', 'a task for it (repeatable, in order)', collect)
      .option('--parent <session>', 'its parent session ("self": the calling session; the default inside a session)', sessionArg)
      .option('--no-parent', 'inside a session: a top-level session, not a worker of this one')
      .option('--attempt <id>', "run it in this attempt: on the attempt's task, in its worktree", parseId)
      .addOption(choice('--strategy <strategy>', 'simple: all tasks at once; queue: one at a time', STRATEGIES).default('simple'))
      .addOption(choice('--role <role>', 'worker (default), orchestrator, planner or service', ROLES))
      .option('--project <id>', 'project (default: $BATON_PROJECT_ID; a worker runs in its parent\'s)', parseId)
      .option('--name <name>', 'a name to show')
      .option('--prompt <text>', 'first prompt')
      .option('--prompt-file <path>', 'read the first prompt from a file ("-": standard input)')
      .option('--wait', 'wait until it ends; exit 1 unless it completed or succeeded'),
  ).action(
    async (
      o: { template: string; task?: string[]; parent?: string | false; attempt?: string; strategy: 'simple' | 'queue'; role?: string; project?: string; name?: string; prompt?: string; promptFile?: string; wait?: boolean } & JsonOpt,
    ) => {
      for (const t of o.task ?? []) parseId(t);
      const api = sessions();
      // An agent hands work to a worker of its own (the only spawn its token allows): inside a session the parent is itself.
      const parentRef = o.parent === undefined && !o.attempt && ctx.env.BATON_SESSION_ID ? 'self' : o.parent;
      const parentSessionId = parentRef ? sessionRef(ctx.env, parentRef) : undefined;
      if (o.strategy === 'queue' && !o.task?.length) throw new CliError('a queue session needs at least one --task', 2);
      const prompt = await textFrom(ctx, o.prompt, o.promptFile, 'prompt');
      const common = { templateId: o.template, taskIds: o.task, strategy: o.strategy, name: o.name, prompt };
      let res;
      if (o.attempt) {
        if (o.task?.length || o.strategy === 'queue') throw new CliError("a session in an attempt works the attempt's task: leave out --task and --strategy queue", 2);
        res = await api.spawnInAttempt(o.attempt, { templateId: o.template, name: o.name, prompt, role: o.role, parentSessionId });
      } else if (parentSessionId) {
        if (o.role && o.role !== 'worker') throw new CliError('a session with a --parent is a worker; leave out --role or say --role worker', 2);
        if (o.project) ctx.writeErr('baton: --project is ignored with --parent: a worker runs in its parent\'s project\n');
        res = await api.spawnWorker(parentSessionId, common);
      } else {
        res = await api.spawn(projectIdFrom(ctx.env, o.project), { ...common, role: o.role });
      }
      if (!o.wait) return written(o, res, res.id);
      ctx.writeErr(`spawned session ${res.id}; waiting for it to end\n`);
      const end = await waitForEnd(api, res.id, 1_000, (s) => ctx.writeErr(`session ${res.id}: ${s.status}\n`));
      emit(ctx, o.json, end, () => `${res.id} ${end.status}\n`);
      if (end.status !== 'completed' && end.status !== 'succeeded') throw new CliError(`session ${res.id} ended ${end.status}${end.endedReason ? `: ${end.endedReason}` : ''}`, 1);
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    withJson(
      session
        .command(decision)
        .description(`${decision} the open permission prompt of a real agent (Claude Code, Codex, Gemini, OpenCode)`)
        .argument('<session>', 'session id', sessionArg),
    ).action(async (ref: string, o: JsonOpt) => {
      const id = sessionRef(ctx.env, ref);
      written(o, await sessions().answerPermission(id, decision), `${decision === 'approve' ? 'approved' : 'denied'} the permission prompt of session ${id}`);
    });
  }

  withMinSeq(
    withJson(
      session
        .command('list')
        .description('sessions, newest first')
        .option('--project <id>', 'only this project\'s (default: $BATON_PROJECT_ID inside a session)', parseId)
        .addOption(choice('--status <status>', 'only sessions in this status', STATUSES))
        .option('--live', 'only sessions that have not ended')
        .option('--parent <session>', 'only the workers of this session ("self": the calling one)', sessionArg)
        .option('--children', 'only my workers (same as --parent self)')
        .option('--task <id>', 'only sessions working this task', parseId)
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('--offset <n>', 'skip this many', nonNegativeInt),
    ),
  ).action(async (o: { project?: string; status?: string; live?: boolean; parent?: string; children?: boolean; task?: string; limit?: number; offset?: number; minSeq?: number } & JsonOpt) => {
    const parent = o.children ? ownSessionId(ctx.env) : o.parent ? sessionRef(ctx.env, o.parent) : undefined;
    const page = await sessions().list({
      projectId: o.project ?? (parent ? undefined : ctx.env.BATON_PROJECT_ID),
      status: o.status,
      live: o.live,
      parentSessionId: parent,
      taskId: o.task,
      limit: o.limit,
      offset: o.offset,
      minSeq: o.minSeq,
    });
    emit(ctx, o.json, page, () => formatSessionList(page.items));
  });

  withMinSeq(withJson(session.command('show').description('show a session').argument('[session]', 'session id (default: your own)', sessionArg))).action(
    async (ref: string | undefined, o: { minSeq?: number } & JsonOpt) => {
      const s = await sessions().get(ref ? sessionRef(ctx.env, ref) : ownSessionId(ctx.env), o.minSeq);
      emit(ctx, o.json, s, () => formatSession(s));
    },
  );

  withJson(
    session
      .command('stop')
      .description('stop a session (its process is ended)')
      .argument('<session>', 'session id ("self": your own)', sessionArg)
      .option('--cascade', 'stop its workers too')
      .option('--reason <text>', 'why'),
  ).action(async (ref: string, o: { cascade?: boolean; reason?: string } & JsonOpt) => {
    const id = sessionRef(ctx.env, ref);
    written(o, await sessions().stop(id, { cascade: Boolean(o.cascade), reason: o.reason }), `stopping session ${id}${o.cascade ? ' and its workers' : ''}`);
  });

  withJson(
    session
      .command('send')
      .description("type text into a session's terminal (a follow-up, an answer, Ctrl-C with --kind interrupt)")
      .argument('<session>', 'session id', sessionArg)
      .argument('[text...]', 'what to type')
      .option('--file <path>', 'read the text from a file ("-": standard input)')
      .addOption(choice('--kind <kind>', 'text (default), prompt, follow_up or interrupt', INPUT_KINDS).default('text'))
      .option('--no-enter', 'do not press Enter after the text'),
  ).action(async (ref: string, words: string[], o: { file?: string; kind: string; enter: boolean } & JsonOpt) => {
    const id = sessionRef(ctx.env, ref);
    let text = await textFrom(ctx, words.length ? words.join(' ') : undefined, o.file, 'text');
    if (o.kind === 'interrupt') text = text || '\u0003';
    if (!text) throw new CliError('give the text to send', 2);
    if (o.kind !== 'interrupt' && o.enter && !/[\r\n]$/.test(text)) text += '\r';
    written(o, await sessions().send(id, { text, kind: o.kind }), `sent ${o.kind === 'interrupt' ? 'an interrupt' : 'text'} to session ${id}`);
  });

  withMinSeq(
    withJson(
      session
        .command('logs')
        .description("a session's timeline: started, tasks, progress, questions, errors, workers")
        .argument('[session]', 'session id (default: your own)', sessionArg)
        .option('--kind <kind>', 'only entries of this kind (repeatable)', collect)
        .option('--until <time>', 'the timeline as it was at this instant (ISO time)')
        .option('--after <seq>', 'only entries after this sequence', nonNegativeInt)
        .option('--limit <n>', 'at most this many', positiveInt)
        .option('-f, --follow', 'keep printing new entries until the session ends'),
    ),
  ).action(async (ref: string | undefined, o: { kind?: string[]; until?: string; after?: number; limit?: number; follow?: boolean; minSeq?: number } & JsonOpt) => {
    const id = ref ? sessionRef(ctx.env, ref) : ownSessionId(ctx.env);
    if (o.until && Number.isNaN(Date.parse(o.until))) throw new CliError(`--until must be an ISO time, got "${o.until}"`, 2);
    const api = sessions();
    let afterSeq = o.after ?? 0;
    const print = (items: TimelineEntry[]) => {
      if (o.json) for (const e of items) ctx.write(`${escapeUnsafeInJson(JSON.stringify(e))}\n`);
      else if (items.length) ctx.write(formatTimeline(items));
    };
    const page = await api.timeline(id, { afterSeq, limit: o.limit, kinds: o.kind, until: o.until, minSeq: o.minSeq });
    if (!o.follow) return emit(ctx, o.json, page, () => formatTimeline(page.items));
    print(page.items);
    afterSeq = page.nextAfterSeq;
    for (;;) {
      const s = await api.get(id);
      const more = await api.timeline(id, { afterSeq, kinds: o.kind });
      print(more.items);
      afterSeq = more.nextAfterSeq;
      if (isFinal(s.status) && !more.items.length) return;
      await sleep(1_000);
    }
  });

  session
    .command('export')
    .description('a recording of a session: asciicast v2 (plays in `asciinema play`) or a Markdown transcript')
    .argument('<session>', 'session id', sessionArg)
    .requiredOption('--format <format>', 'cast or md', exportFormat)
    .option('--out <file>', 'write it to this file instead of standard output')
    .action(async (ref: string, o: { format: ExportFormat; out?: string }) => {
      const id = sessionRef(ctx.env, ref);
      const res = await sessions().export(id, o.format);
      if (res.truncated) ctx.writeErr(`baton: the recording of session ${id} was cut to what fits in one answer\n`);
      if (!o.out) return ctx.write(res.content);
      try {
        writeFileSync(o.out, res.content);
      } catch (e) {
        throw new CliError(`cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
      }
      ctx.writeErr(`wrote ${o.out}\n`);
    });

  session
    .command('attach')
    .description("attach this terminal to a session's terminal: what you type goes in, its output comes out; Ctrl-] detaches")
    .argument('<session>', 'session id', sessionArg)
    .option('--read-only', 'watch without typing')
    .action(async (ref: string, o: { readOnly?: boolean }) => {
      const id = sessionRef(ctx.env, ref);
      await attachTerminal(ctx, id, { readOnly: Boolean(o.readOnly) });
    });
}
