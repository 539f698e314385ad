import { adapterFor } from '@baton/agents';
import {
  CheckSessionStall,
  DomainError,
  InputSent,
  RecordOutputMatch,
  RecordWorkerFinished,
  RecordWorkerSpawned,
  ReportSession,
  ReportSessionStatus,
  ReportSessionUsage,
  ResumeAfterQuota,
  SendSessionInput,
  AnswerSessionPermission,
  StopSessionOverBudget,
  UsageReported,
  isFinalStatus,
  totalTokens,
  type CommandOf,
  type TimelineKind,
} from '@baton/events';
import { budgetBreach, describeBreach } from '../usage/budget';
import { parseQuotaReset } from './quota-reset';
import { moveItem, requireRunning, settle, targetItem } from './session-queue.decide';
import type { SessionDecision } from './session-decision';
import { currentTaskId } from './session.state';
import { PROCESS_BOUND } from './status-rules';

export type SignalCommand =
  | CommandOf<typeof ReportSessionStatus>
  | CommandOf<typeof ReportSession>
  | CommandOf<typeof RecordOutputMatch>
  | CommandOf<typeof CheckSessionStall>
  | CommandOf<typeof ResumeAfterQuota>
  | CommandOf<typeof SendSessionInput>
  | CommandOf<typeof AnswerSessionPermission>
  | CommandOf<typeof ReportSessionUsage>
  | CommandOf<typeof StopSessionOverBudget>
  | CommandOf<typeof RecordWorkerSpawned>
  | CommandOf<typeof RecordWorkerFinished>;
const SIGNAL_TYPES: ReadonlySet<string> = new Set(
  [ReportSessionStatus, ReportSession, RecordOutputMatch, CheckSessionStall, ResumeAfterQuota, SendSessionInput, AnswerSessionPermission, ReportSessionUsage, StopSessionOverBudget, RecordWorkerSpawned, RecordWorkerFinished].map(
    (c) => c.type,
  ),
);
export function isSignalCommand(c: { type: string }): c is SignalCommand {
  return SIGNAL_TYPES.has(c.type);
}

const CTRL_C = '\u0003';
const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** What the agent, its output, the watchdog and people say about a running session. */
export function decideSignal(command: SignalCommand, d: SessionDecision): SessionDecision {
  switch (command.type) {
    case 'session.report_status': {
      const { status, message } = command.data;
      d.requireLive('report');
      requireRunning(d);
      if (status === 'completed') return d.end('completed', 'agent', message || 'the agent reported it is done');
      if (status === 'failed') return d.end('failed', 'agent', message || 'the agent reported a failure');
      if (status === 'needs_input') d.timeline('needs_input', message || 'waiting for input', { source: 'agent', taskId: currentTaskId(d.state) });
      d.signal(status, 'agent', message || `agent: ${status.replace('_', ' ')}`);
      return d;
    }
    case 'session.report': {
      const { kind, message, taskId, progress } = command.data;
      d.requireLive('report');
      requireRunning(d);
      if (taskId && !d.facts.taskIds.includes(taskId)) {
        throw new DomainError('not_found', `task ${taskId} is not one of session ${d.sessionId}'s tasks`, { sessionId: d.sessionId, taskId });
      }
      switch (kind) {
        case 'task_started': {
          const id = taskId ?? targetItem(d, null, 'any');
          moveItem(d, id, 'processing', message, 'agent', message);
          d.signal('working', 'agent', `working on task ${id}`);
          return d;
        }
        case 'task_completed':
        case 'task_failed':
        case 'task_skipped': {
          const to = kind === 'task_completed' ? 'completed' : kind === 'task_failed' ? 'failed' : 'skipped';
          moveItem(d, taskId ?? targetItem(d, null, 'any'), to, message, 'agent', message);
          return settle(d, 'agent');
        }
        case 'needs_input':
          d.timeline('needs_input', message || 'waiting for input', { source: 'agent', taskId: taskId ?? currentTaskId(d.state) });
          d.signal('needs_input', 'agent', message || 'needs input');
          return d;
        case 'progress':
        case 'milestone':
        case 'error':
        case 'task_blocked':
          return d.timeline(kind, message, { source: 'agent', taskId: taskId ?? currentTaskId(d.state), progress: kind === 'progress' ? progress : null });
        default: {
          const unknown: never = kind;
          throw new DomainError('validation', `unknown report ${String(unknown)}`);
        }
      }
    }
    case 'session.record_output_match':
      return outputMatched(command, d);
    case 'session.check_stall': {
      const { stallAfterMs, stallAction } = d.template.spec;
      const { lastOutputAt } = command.data;
      if (stallAfterMs === null) return d;
      if (d.state.status === 'stalled') {
        return lastOutputAt && d.state.statusSince && lastOutputAt > d.state.statusSince ? d.status('working', 'watchdog', 'output resumed') : d;
      }
      if (d.state.status !== 'working') return d;
      const last = [lastOutputAt, d.state.lastSignalAt, d.state.statusSince].filter((t): t is string => !!t).sort().pop()!;
      const quietMs = Date.parse(d.now) - Date.parse(last);
      if (quietMs < stallAfterMs) return d;
      const why = `no output and no report for ${seconds(quietMs)}`;
      d.status('stalled', 'watchdog', why).timeline('stalled', `${why}; action: ${stallAction}`, { source: 'watchdog', metadata: { quietMs, action: stallAction } });
      switch (stallAction) {
        case 'notify':
          return d;
        case 'interrupt':
          return d.emit(InputSent({ kind: 'interrupt', text: CTRL_C, fromSessionId: null, runnerId: d.state.runnerId }));
        case 'restart':
          return d.restartOr('failed', { failed: true, forced: true, reason: `stalled: ${why}`, source: 'watchdog' });
        case 'fail':
          return d.end('failed', 'watchdog', `stalled: ${why}`);
        default: {
          const unknown: never = stallAction;
          throw new DomainError('validation', `unknown stall action ${String(unknown)}`);
        }
      }
    }
    case 'session.resume_after_quota': {
      void d.facts;
      if (d.state.status !== 'waiting_quota') return d;
      if (d.state.until && d.now < d.state.until) return d;
      const resume = d.template.spec.quota?.resumeInput ?? 'continue\r';
      d.status('idle', 'system', 'usage limit lifted').timeline('milestone', 'usage limit lifted; resuming', { source: 'system' });
      return d.emit(InputSent({ kind: 'resume', text: resume, fromSessionId: null, runnerId: d.state.runnerId }));
    }
    case 'session.send_input': {
      const { text, kind, fromSessionId } = command.data;
      d.requireLive('take input');
      if (d.state.status === 'lost') throw new DomainError('invalid_state', `session ${d.sessionId} is lost: its runner does not answer`, { sessionId: d.sessionId });
      const runnerId = d.state.status === 'pending' ? null : d.state.runnerId;
      d.emit(InputSent({ kind, text, fromSessionId, runnerId }));
      if (kind !== 'interrupt' && (d.state.status === 'idle' || d.state.status === 'needs_input')) d.signal('working', 'user', `${kind.replace('_', '-')} sent`);
      return d;
    }
    case 'session.answer_permission': {
      const { decision } = command.data;
      void d.facts;
      const adapter = adapterFor(d.template.spec.agent);
      if (!adapter) throw new DomainError('invalid_state', `session ${d.sessionId} runs no agent Baton can answer for: type into its terminal`, { sessionId: d.sessionId });
      if (d.state.status !== 'needs_input') throw new DomainError('invalid_state', `session ${d.sessionId} is ${d.state.status}: nothing waits for an answer`, { sessionId: d.sessionId, status: d.state.status });
      d.emit(InputSent({ kind: 'text', text: adapter.permissionKeys[decision], fromSessionId: null, runnerId: d.state.runnerId }));
      // Approved: the tool runs (its PostToolUse confirms). Denied: the agent stops that action and waits for instructions.
      // The operator's answer settles the agent's own needs_input (fusion would rank it below the agent's signal).
      return decision === 'approve' ? d.status('working', 'user', 'permission approved') : d.status('idle', 'user', 'permission denied');
    }
    case 'session.report_usage': {
      const { sessionId: _s, model, ...delta } = command.data;
      void d.facts;
      if (totalTokens(delta) === 0 && delta.costUsd === 0) return d;
      const u = d.state.usage;
      const total = {
        inputTokens: u.inputTokens + delta.inputTokens,
        outputTokens: u.outputTokens + delta.outputTokens,
        cacheReadTokens: u.cacheReadTokens + delta.cacheReadTokens,
        cacheWriteTokens: u.cacheWriteTokens + delta.cacheWriteTokens,
        costUsd: Math.round((u.costUsd + delta.costUsd) * 1e6) / 1e6,
      };
      d.emit(UsageReported({ delta, total, taskId: currentTaskId(d.state), model, projectId: d.facts.projectId, attemptId: d.facts.attemptId }));
      if (isFinalStatus(d.state.status)) return d;
      const breach = budgetBreach([{ scope: 'session', scopeId: d.sessionId, budget: d.facts.budget, spent: { costUsd: total.costUsd, tokens: totalTokens(total) } }]);
      return breach ? overBudget(d, describeBreach(breach), breach) : d;
    }
    case 'session.stop_over_budget': {
      void d.facts;
      if (isFinalStatus(d.state.status)) return d;
      return overBudget(d, describeBreach(command.data), command.data);
    }
    case 'session.record_worker_spawned': {
      const { workerId, templateId, taskIds } = command.data;
      void d.facts;
      if (d.state.workers[workerId]) return d;
      return d.timeline('worker_spawned', `worker ${workerId} spawned (${templateId})`, { workerId, metadata: { templateId, taskIds }, source: 'system' });
    }
    case 'session.record_worker_finished': {
      const { workerId, status } = command.data;
      void d.facts;
      if (d.state.workers[workerId] === status) return d;
      return d.timeline('worker_finished', `worker ${workerId} ${status}`, { workerId, workerStatus: status, source: 'system' });
    }
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function overBudget(d: SessionDecision, message: string, b: { scope: string; scopeId: string; limit: unknown; spent: unknown }): SessionDecision {
  d.timeline('budget_exceeded', message, { source: 'system', metadata: { scope: b.scope, scopeId: b.scopeId, limit: b.limit, spent: b.spent } });
  return d.end('stopped', 'system', message);
}

function outputMatched(command: CommandOf<typeof RecordOutputMatch>, d: SessionDecision): SessionDecision {
  const { runnerId, pattern, parser, text, groups } = command.data;
  void d.facts;
  if (isFinalStatus(d.state.status)) return d; // output still flushing after the end
  d.requireRunner(runnerId).requireEpoch(runnerId, command.data.epoch);
  const { spec } = d.template;
  const match = { pattern, parser, text, groups };
  const base = { source: 'output' as const, match, taskId: currentTaskId(d.state) };
  switch (pattern) {
    case 'ready':
      d.timeline('output_matched', `ready: ${text}`, base);
      if (spec.registration === 'ready_pattern') d.ready('ready_pattern', 'output');
      return d;
    case 'success':
      return d.timeline('output_matched', `success: ${text}`, base);
    case 'error':
      return d.timeline('error', text, base);
    case 'quota': {
      const resetAt = parseQuotaReset(groups, d.now) ?? new Date(Date.parse(d.now) + (spec.quota?.defaultWaitMs ?? 3_600_000)).toISOString();
      d.timeline('output_matched', `usage limit: ${text}`, { ...base, metadata: { resetAt } });
      if (PROCESS_BOUND.has(d.state.status) && d.state.status !== 'waiting_quota') d.status('waiting_quota', 'output', `usage limit until ${resetAt}`, resetAt);
      return d;
    }
    case 'parser': {
      const p = spec.parsers.find((x) => x.name === parser);
      if (!p) throw new DomainError('validation', `template ${d.template.templateId} has no parser "${parser}"`, { parser });
      const message = groups.message || text;
      if (p.kind === 'progress') return d.timeline('progress', message, { ...base, progress: progressOf(groups) });
      d.timeline(p.kind as TimelineKind, message, base);
      if (p.kind === 'needs_input') d.signal('needs_input', 'output', message);
      return d;
    }
    case 'dialog': {
      // Only before the agent is ready: later the same words are the agent's own output (it may
      // well be reading Baton's adapters). Nothing else answers it, so a person is asked, and the
      // registration clock (which runs only while spawning) stops.
      if (d.state.ready) return d;
      const message = `${adapterFor(spec.agent)?.displayName ?? 'The agent'} shows a dialog Baton could not pass: ${text}`;
      d.timeline('needs_input', message, base);
      if (d.state.process === 'running') d.status('needs_input', 'output', message);
      return d;
    }
    default: {
      const unknown: never = pattern;
      throw new DomainError('validation', `unknown pattern ${String(unknown)}`);
    }
  }
}

/** `percent` (0-100) or `progress` (0-1, or a percentage when above 1); null when neither reads. */
export function progressOf(groups: Record<string, string>): number | null {
  const raw = groups.percent ?? groups.progress;
  if (raw === undefined) return null;
  const n = Number.parseFloat(raw.replace('%', ''));
  if (!Number.isFinite(n)) return null;
  const fraction = groups.percent !== undefined || n > 1 ? n / 100 : n;
  return Math.min(1, Math.max(0, fraction));
}
