import { DomainError, isSubmittedInput, trainRef, type Repository, type RunnerDirected, type RunnerStart, type SessionEvent } from '@baton/events';
import type { SessionState } from '../session/session.state';
import { buildManifest, type ManifestTask } from './manifest';
import { resolveLaunch } from './resolve-launch';

/** What the service looks up (tasks read model via queries, project settings, token signer) to start a session. */
export interface StartContext {
  sessionId: string;
  repository: Repository;
  projectName: string;
  projectEnv: Record<string, string>;
  /** The attempt's branch and base (from `project.task_attempt_started`); null outside an attempt. */
  attempt: { taskId: string; branch: string; baseBranch: string; /** 1 for the task's first attempt. */ number?: number } | null;
  tasks: ManifestTask[];
  parent: { id: string; name: string } | null;
  /** The first prompt: the session's own, else the attempt conversation's prompt. */
  prompt: string | null;
  apiUrl: string;
  token: string;
  port: number;
  size: { cols: number; rows: number };
  /** Where the session's terminal stands over the runners that hosted it (`lastTerminalChunk`); absent or null: a new terminal. */
  terminal?: { lastChunk: number; lastOffsetMs: number } | null;
}

const STOP_GRACE_MS = 10_000;


/** Where the session works: its attempt's worktree, a checkout of the merge train's batch (its check), or the project's checkout. */
function workspaceOf(facts: NonNullable<SessionState['facts']>, ctx: StartContext): RunnerStart['workspace'] {
  if (facts.attemptId && ctx.attempt) return { kind: 'attempt', attemptId: facts.attemptId, taskId: ctx.attempt.taskId, branch: ctx.attempt.branch, baseBranch: ctx.attempt.baseBranch };
  if (facts.origin.kind === 'merge_check') return { kind: 'commit', ref: trainRef(facts.origin.batchId), commit: facts.origin.commit };
  return { kind: 'project' };
}

/** The `start` message for the runner a session was just placed on. */
export function buildRunnerStart(state: SessionState, ctx: StartContext): { runnerId: string; data: RunnerStart } {
  const { facts, template, runnerId } = state;
  if (!facts || !template || !runnerId || state.status !== 'spawning') {
    throw new DomainError('invalid_state', `session ${ctx.sessionId} is not waiting to start on a runner`, { sessionId: ctx.sessionId, status: state.status });
  }
  const { spec } = template;
  if (facts.attemptId && !ctx.attempt) throw new DomainError('invalid_state', `attempt ${facts.attemptId} is unknown`, { attemptId: facts.attemptId });
  const manifest = buildManifest({
    session: { id: ctx.sessionId, name: facts.name, role: facts.role, strategy: facts.strategy, templateId: template.templateId, templateName: spec.name },
    project: { id: facts.projectId, name: ctx.projectName },
    attempt: facts.attemptId && ctx.attempt ? { id: facts.attemptId, branch: ctx.attempt.branch, baseBranch: ctx.attempt.baseBranch, ...(ctx.attempt.number ? { number: ctx.attempt.number } : {}) } : null,
    tasks: ctx.tasks,
    parent: ctx.parent,
    apiUrl: ctx.apiUrl,
  });
  const launch = resolveLaunch(spec, {
    sessionId: ctx.sessionId,
    role: facts.role,
    name: facts.name,
    projectId: facts.projectId,
    attemptId: facts.attemptId,
    branch: ctx.attempt?.branch ?? null,
    parentSessionId: facts.parentSessionId,
    tasks: ctx.tasks,
    prompt: facts.prompt ?? ctx.prompt,
    apiUrl: ctx.apiUrl,
    token: ctx.token,
    port: ctx.port,
    projectEnv: ctx.projectEnv,
    manifest,
  });
  return {
    runnerId,
    data: {
      sessionId: ctx.sessionId,
      projectId: facts.projectId,
      run: state.runs,
      epoch: state.epoch,
      kind: spec.kind,
      workspace: workspaceOf(facts, ctx),
      repository: ctx.repository,
      launch,
      copyFiles: spec.copyFiles,
      setupScript: spec.setupScript,
      cleanupScript: spec.cleanupScript,
      patterns: {
        ready: spec.readyPattern,
        success: spec.successPattern,
        error: spec.errorPattern,
        quota: spec.quota?.pattern ?? null,
        parsers: spec.parsers,
      },
      initialInput: state.queuedInput,
      size: ctx.size,
      ...(ctx.terminal ? { terminal: { lastChunk: ctx.terminal.lastChunk, lastOffsetMs: ctx.terminal.lastOffsetMs } } : {}),
      agent: spec.agent ? { id: spec.agent, permissionMode: facts.permissionMode ?? spec.permissionMode, model: spec.model } : null,
    },
  };
}

/**
 * The runner messages an event calls for, from the event alone: stop a process Baton gave
 * up on, type input. (`start` needs lookups: `buildRunnerStart` after `session.placed`.)
 */
export function runnerMessagesFor(event: SessionEvent): RunnerDirected[] {
  const sessionId = event.aggregate.id;
  switch (event.type) {
    case 'session.ended':
      return event.data.killProcess && event.data.runnerId
        ? [{ type: 'stop', runnerId: event.data.runnerId, data: { sessionId, reason: `${event.data.status}: ${event.data.reason}`.slice(0, 2_000), graceMs: STOP_GRACE_MS, cleanup: true } }]
        : [];
    case 'session.restart_scheduled':
      return event.data.killProcess && event.data.previousRunnerId
        ? [
            {
              type: 'stop',
              runnerId: event.data.previousRunnerId,
              // Moved away: the old copy is fenced (stopped without reporting, pushing or merging for it).
              data: { sessionId, reason: `restarting: ${event.data.reason}`.slice(0, 2_000), graceMs: STOP_GRACE_MS, cleanup: false, ...(event.data.epoch !== undefined ? { fence: true, epoch: event.data.epoch } : {}) },
            },
          ]
        : [];
    case 'session.input_sent':
      return event.data.runnerId ? [{ type: 'input', runnerId: event.data.runnerId, data: { sessionId, data: event.data.text, submit: isSubmittedInput(event.data.kind) } }] : [];
    default:
      return [];
  }
}
