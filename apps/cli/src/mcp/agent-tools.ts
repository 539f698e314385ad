import { z } from 'zod';
import { CliError } from '../api-client';
import type { Env } from '../context';
import { SessionApi, type ReportKind } from '../sessions/session-api';
import { given, id, optionalId, tool, type BatonTool } from './tool';

const message = (what: string) => z.string().max(10_000).describe(what);
const optionalMessage = (what: string) => z.string().max(10_000).optional().describe(what);
const reason = z.string().max(2_000).optional().describe('why');

/**
 * What an agent inside a session does over MCP, as `baton report|queue|session` does in its
 * terminal. Every tool acts on the server's session (BATON_SESSION_ID) unless given
 * `sessionId`; an operator's MCP (no session) must name it.
 */
export function agentTools(env: Env): BatonTool[] {
  const own = (sessionId: string | undefined) => {
    const sid = sessionId ?? env.BATON_SESSION_ID;
    if (!sid) throw new CliError('no session: this MCP server does not run inside a Baton session (BATON_SESSION_ID); pass sessionId', 2);
    return sid;
  };
  const sessionId = optionalId('session').describe('the session (default: this agent\'s own, BATON_SESSION_ID)');
  const taskId = optionalId('task').describe('the task it is about (default: the one in progress)');
  const report = (kind: ReportKind) => (api: Parameters<BatonTool['run']>[0], a: { sessionId?: string; taskId?: string; message?: string; progress?: number }) =>
    new SessionApi(api).report(own(a.sessionId), { kind, message: a.message ?? '', taskId: a.taskId ?? null, progress: a.progress ?? null });

  return [
    tool({
      name: 'register_session',
      title: 'Register',
      description: 'Say this agent is up: its session becomes ready (idle). Call once at start.',
      kind: 'write',
      input: { sessionId, agent: z.string().max(200).optional().describe('what runs, e.g. "my-agent 1.0"') },
      run: (api, a) => new SessionApi(api).register(own(a.sessionId), a.agent ?? null),
    }),
    tool({
      name: 'report_status',
      title: 'Report status',
      description: 'Your state: working, idle, needs_input; completed or failed end the session.',
      kind: 'write',
      input: { sessionId, status: z.enum(['working', 'idle', 'needs_input', 'completed', 'failed']), message: optionalMessage('why, or a summary') },
      run: (api, a) => new SessionApi(api).status(own(a.sessionId), a.status, a.message ?? ''),
    }),
    tool({
      name: 'report_progress',
      title: 'Report progress',
      description: 'How far along the current task is (0..1) and what is done; shows on the timeline.',
      kind: 'write',
      input: { sessionId, taskId, progress: z.number().min(0).max(1).describe('0..1'), message: optionalMessage('what is done') },
      run: report('progress'),
    }),
    tool({
      name: 'report_milestone',
      title: 'Report a milestone',
      description: 'Something worth showing on the timeline happened.',
      kind: 'write',
      input: { sessionId, taskId, message: message('what happened') },
      run: report('milestone'),
    }),
    tool({
      name: 'needs_input',
      title: 'Ask a person',
      description: 'You cannot go on without a person: the session shows needs-input with your question until someone answers in your terminal.',
      kind: 'write',
      input: { sessionId, taskId, question: message('the question') },
      run: (api, a) => report('needs_input')(api, { ...a, message: a.question }),
    }),
    tool({
      name: 'report_error',
      title: 'Report an error',
      description: 'Something failed but you carry on.',
      kind: 'write',
      input: { sessionId, taskId, message: message('what failed') },
      run: report('error'),
    }),
    tool({
      name: 'report_usage',
      title: 'Report usage',
      description: 'Tokens and money spent since the last report (a delta).',
      kind: 'write',
      input: {
        sessionId,
        inputTokens: z.number().int().min(0).optional(),
        outputTokens: z.number().int().min(0).optional(),
        cacheReadTokens: z.number().int().min(0).optional(),
        cacheWriteTokens: z.number().int().min(0).optional(),
        costUsd: z.number().min(0).optional(),
        model: z.string().max(200).optional(),
      },
      run: (api, { sessionId: sid, ...u }) => new SessionApi(api).usage(own(sid), given(u)),
    }),
    tool({
      name: 'start_task',
      title: 'Start a task',
      description: 'You start working one of your tasks (simple strategy; a queue hands them out with queue_next).',
      kind: 'write',
      input: { sessionId, taskId, message: optionalMessage('what you are about to do') },
      run: report('task_started'),
    }),
    tool({
      name: 'complete_task',
      title: 'Complete your task',
      description: 'One of your tasks is done (default: the one in progress); say what was done.',
      kind: 'write',
      input: { sessionId, taskId, summary: optionalMessage('what was done') },
      run: (api, a) => report('task_completed')(api, { ...a, message: a.summary }),
    }),
    tool({
      name: 'fail_task',
      title: 'Fail your task',
      description: 'One of your tasks cannot be done (default: the one in progress); say why.',
      kind: 'write',
      input: { sessionId, taskId, reason: z.string().trim().min(1).max(2_000).describe('why it failed') },
      run: (api, a) => report('task_failed')(api, { ...a, message: a.reason }),
    }),
    tool({
      name: 'block_task',
      title: 'Your task is blocked',
      description: 'Your task cannot go on: it waits on something (say what).',
      kind: 'write',
      input: { sessionId, taskId, reason },
      run: (api, a) => report('task_blocked')(api, { ...a, message: a.reason }),
    }),
    tool({
      name: 'skip_task',
      title: 'Skip a task',
      description: 'One of your tasks should not be done; say why.',
      kind: 'write',
      input: { sessionId, taskId, reason },
      run: (api, a) => report('task_skipped')(api, { ...a, message: a.reason }),
    }),
    tool({
      name: 'queue_next',
      title: 'Take the next task',
      description: 'Queue strategy: take the next task of your queue. Answers the task, or { empty: true } when nothing is left (you are done).',
      kind: 'write',
      input: { sessionId },
      run: async (api, a) => {
        const next = await new SessionApi(api).queueNext(own(a.sessionId));
        return next.task ? { empty: false, task: next.task } : { empty: true, reason: next.reason };
      },
    }),
    tool({
      name: 'queue_complete',
      title: 'Complete the task in progress',
      description: 'Queue strategy: the task you took is done. The last one completes the session.',
      kind: 'write',
      input: { sessionId, taskId, summary: optionalMessage('what was done') },
      run: (api, a) => new SessionApi(api).queue(own(a.sessionId), 'complete', { taskId: a.taskId, message: a.summary ?? '' }),
    }),
    tool({
      name: 'queue_fail',
      title: 'Fail the task in progress',
      description: 'Queue strategy: the task you took cannot be done; say why.',
      kind: 'write',
      input: { sessionId, taskId, reason: z.string().trim().min(1).max(2_000).describe('why it failed') },
      run: (api, a) => new SessionApi(api).queue(own(a.sessionId), 'fail', { taskId: a.taskId, reason: a.reason }),
    }),
    tool({
      name: 'queue_skip',
      title: 'Skip a queued task',
      description: 'Queue strategy: skip a task (default: the one in progress).',
      kind: 'write',
      input: { sessionId, taskId, reason },
      run: (api, a) => new SessionApi(api).queue(own(a.sessionId), 'skip', { taskId: a.taskId, reason: a.reason ?? '' }),
    }),
    tool({
      name: 'spawn_worker',
      title: 'Spawn a worker',
      description: 'Orchestrators and planners: start a worker session of your own (your child, in your project) on tasks or a prompt. Returns its id.',
      kind: 'write',
      input: {
        sessionId,
        templateId: id('session template').describe('session template id, e.g. baton-demo-agent or claude-code'),
        taskIds: z.array(id('task')).max(500).optional().describe('its tasks, in order'),
        strategy: z.enum(['simple', 'queue']).optional(),
        name: z.string().max(200).optional(),
        prompt: z.string().min(1).max(100_000).optional().describe('its first prompt'),
      },
      run: (api, { sessionId: sid, ...req }) => new SessionApi(api).spawnWorker(own(sid), req),
    }),
    tool({
      name: 'list_sessions',
      title: 'List sessions',
      description: 'Sessions, newest first. Inside a session with no filter: your own workers.',
      kind: 'read',
      input: {
        projectId: optionalId('project'),
        parentSessionId: optionalId('parent session').describe('only the workers of this session'),
        status: z.string().max(200).optional().describe('comma-separated statuses'),
        live: z.boolean().optional().describe('only sessions that have not ended'),
        limit: z.number().int().min(1).max(1_000).optional(),
      },
      run: (api, a) =>
        new SessionApi(api).list(given({ ...a, parentSessionId: a.parentSessionId ?? (a.projectId ? undefined : env.BATON_SESSION_ID) })),
    }),
    tool({
      name: 'get_session',
      title: 'Get a session',
      description: 'A session: status, tasks and their items, workers, usage (default: your own).',
      kind: 'read',
      input: { sessionId },
      run: (api, a) => new SessionApi(api).get(own(a.sessionId)),
    }),
    tool({
      name: 'session_timeline',
      title: 'Session timeline',
      description: "A session's timeline in order (default: your own); page with afterSeq = the answer's nextAfterSeq.",
      kind: 'read',
      input: { sessionId, afterSeq: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5_000).optional() },
      run: (api, a) => new SessionApi(api).timeline(own(a.sessionId), given({ afterSeq: a.afterSeq, limit: a.limit })),
    }),
    tool({
      name: 'send_to_session',
      title: 'Send text to a session',
      description: "Type text into another session's terminal (your worker, parent or sibling), followed by Enter.",
      kind: 'write',
      input: { sessionId: id('session'), text: z.string().min(1).max(100_000) },
      run: (api, a) => new SessionApi(api).send(a.sessionId, { text: /[\r\n]$/.test(a.text) ? a.text : `${a.text}\r`, kind: 'text' }),
    }),
    tool({
      name: 'stop_session',
      title: 'Stop a session',
      description: 'Stop a session: yourself or one of your workers (with cascade: its workers too).',
      kind: 'destructive',
      input: { sessionId: id('session'), cascade: z.boolean().optional(), reason },
      run: (api, a) => new SessionApi(api).stop(a.sessionId, given({ cascade: a.cascade ?? false, reason: a.reason })),
    }),
  ];
}

/** Tool names the agent set shares with the operator set: inside a session the agent's meaning wins. */
export const AGENT_OVERRIDES: ReadonlySet<string> = new Set(['complete_task', 'fail_task']);
