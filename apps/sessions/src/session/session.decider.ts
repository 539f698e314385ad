import {
  DomainError,
  OpenSessionInAttempt,
  SessionPlaced,
  SessionRequested,
  SessionSpawned,
  SessionTemplatePinned,
  SpawnSession,
  isFinalStatus,
  sessionCommands,
  type CommandOf,
  type Decider,
  type NewEvent,
  type SessionEvent,
} from '@baton/events';
import { decideQueue, isQueueCommand, type QueueCommand } from './session-queue.decide';
import { decideSignal, isSignalCommand, type SignalCommand } from './session-signals.decide';
import { SessionDecision } from './session-decision';
import { evolveSession, initialSessionState, type SessionState } from './session.state';

type Commands = typeof sessionCommands;
export type SessionCommand = { [K in keyof Commands]: CommandOf<Commands[K]> }[number];
type LifecycleCommand = Exclude<SessionCommand, SignalCommand | QueueCommand>;

/** One session: its status machine, timeline, task items, usage and workers (subject `session.<id>`). */
export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  aggregate: 'session',
  commands: sessionCommands,
  aggregateIdOf: (c) => c.data.sessionId,
  initialState: initialSessionState,

  decide(command, state): NewEvent[] {
    const d = new SessionDecision(state, command.data.sessionId, command.issuedAt);
    if (isSignalCommand(command)) return decideSignal(command, d).events;
    if (isQueueCommand(command)) return decideQueue(command, d).events;
    return decideLifecycle(command as LifecycleCommand, d).events;
  },

  evolve: (state, event) => evolveSession(state, event, event.occurredAt),
};

function decideLifecycle(command: LifecycleCommand, d: SessionDecision): SessionDecision {
  switch (command.type) {
    case 'session.spawn':
    case 'session.open_in_attempt':
      return request(command, d);
    case 'session.place': {
      const { runnerId } = command.data;
      void d.facts;
      if (d.state.status === 'spawning' && d.state.runnerId === runnerId) return d;
      if (d.state.status !== 'pending') {
        throw new DomainError('conflict', `session ${d.sessionId} is ${d.state.status}, not pending`, { sessionId: d.sessionId, status: d.state.status });
      }
      if (d.state.until && d.state.until > d.now) {
        throw new DomainError('invalid_state', `session ${d.sessionId} backs off until ${d.state.until}`, { sessionId: d.sessionId, notBefore: d.state.until });
      }
      return d.emit(SessionPlaced({ runnerId })).status('spawning', 'scheduler', `placed on runner ${runnerId}`);
    }
    case 'session.record_spawned': {
      const { runnerId, pid } = command.data;
      d.requireHosted(runnerId).requireEpoch(runnerId, command.data.epoch);
      if (d.state.process === 'running' && d.state.lastSpawnedAt) return d;
      if (d.state.status !== 'spawning' && !d.state.ready) {
        throw new DomainError('invalid_state', `session ${d.sessionId} is ${d.state.status}, not spawning`, { status: d.state.status });
      }
      d.emit(SessionSpawned({ runnerId, pid }));
      const run = d.state.runs > 1 ? ` (run ${d.state.runs})` : '';
      d.timeline('milestone', `process started on ${runnerId}${run}`, { source: 'process', metadata: { runnerId, pid, run: d.state.runs } });
      if (d.template.spec.registration === 'on_spawn') d.ready('spawned', 'process');
      return d;
    }
    case 'session.record_spawn_failed': {
      const { runnerId, error, retryable } = command.data;
      d.requireHosted(runnerId).requireEpoch(runnerId, command.data.epoch);
      if (d.state.status !== 'spawning') throw new DomainError('invalid_state', `session ${d.sessionId} is ${d.state.status}, not spawning`, { status: d.state.status });
      d.timeline('error', `runner ${runnerId} could not start it: ${error}`, { source: 'process', metadata: { runnerId, retryable } });
      return retryable ? d.status('pending', 'process', `runner ${runnerId} refused: ${error}`) : d.end('failed', 'process', `spawn failed: ${error}`);
    }
    case 'session.register': {
      d.requireLive('register');
      if (d.state.status === 'pending') throw new DomainError('invalid_state', `session ${d.sessionId} is not placed yet`, { sessionId: d.sessionId });
      // Held lost (docs/decisions/0026): an agent that registers is alive — the session is reclaimed, not refused.
      if (d.state.status === 'lost' && d.state.runnerId) d.reclaim(d.state.runnerId, 'its agent registered');
      return d.ready('registered', 'agent', command.data.agent, command.data.conversationId);
    }
    case 'session.check_registration': {
      void d.facts;
      // The clock starts when the process does (`session.spawned`), not at placement: a runner
      // slow to start it (a fresh clone, a setup script) does not eat the agent's time. Before
      // that the runner answers for the start itself (spawn failure, or liveness when it dies).
      if (d.state.status !== 'spawning' || d.state.process !== 'running' || !d.state.lastSpawnedAt) return d;
      const timeoutMs = d.template.spec.registrationTimeoutMs;
      if (Date.parse(d.now) - Date.parse(d.state.lastSpawnedAt) < timeoutMs) return d;
      d.timeline('error', `not ready within ${Math.round(timeoutMs / 1000)}s`, { source: 'system' });
      return d.end('failed', 'system', `registration timeout (${Math.round(timeoutMs / 1000)}s)`);
    }
    case 'session.record_exit': {
      const { runnerId, exitCode, signal } = command.data;
      void d.facts;
      // The exit of a copy moved away from (fenced): refused, whatever the session's status now.
      d.requireEpoch(runnerId, command.data.epoch);
      // The exit of a process already given up on (ended, or restarting): expected, nothing to do.
      if (d.state.status === 'pending' || isFinalStatus(d.state.status)) return d;
      d.requireRunner(runnerId);
      return exited(d, runnerId, exitCode, signal);
    }
    case 'session.mark_lost': {
      const { runnerId, reason } = command.data;
      const holdMs = command.data.holdMs ?? 0;
      void d.facts;
      if (d.state.runnerId !== runnerId || d.state.status === 'pending' || isFinalStatus(d.state.status)) return d;
      const why = `runner ${runnerId} stopped answering${reason ? ` (${reason})` : ''}`;
      if (d.state.status === 'lost') {
        // Marked again: once the hold is over, it is moved (or fails) per its policy; the old copy is fenced.
        if (d.state.until && d.now < d.state.until) return d;
        return d.restartOr('failed', { failed: true, reason: `${why}; it did not come back`, source: 'system' });
      }
      // Slow is not dead (docs/decisions/0026): held `lost` for `holdMs`, so a runner that answers again reclaims it.
      const until = holdMs > 0 ? new Date(Date.parse(d.now) + holdMs).toISOString() : null;
      d.status('lost', 'system', until ? `${why}; held until ${until} for it to come back` : why, until).timeline('error', why, { source: 'system', metadata: { runnerId, holdMs } });
      return until ? d : d.restartOr('failed', { failed: true, reason: why, source: 'system' });
    }
    case 'session.reclaim': {
      const { runnerId, epoch } = command.data;
      void d.facts;
      if (d.state.status !== 'lost') return d;
      d.requireRunner(runnerId);
      if (epoch !== undefined && epoch !== d.state.epoch) d.requireEpoch(runnerId, epoch);
      return d.reclaim(runnerId, 'its runner answers again');
    }
    case 'session.stop': {
      void d.facts;
      if (isFinalStatus(d.state.status)) return d;
      return d.end('stopped', command.actor.kind === 'system' ? 'system' : 'user', command.data.reason || `stopped by ${command.actor.kind} ${command.actor.id}`, {
        cascade: command.data.cascade,
      });
    }
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

function request(command: CommandOf<typeof SpawnSession> | CommandOf<typeof OpenSessionInAttempt>, d: SessionDecision): SessionDecision {
  if (d.state.exists) throw new DomainError('conflict', `session ${d.sessionId} already exists`, { sessionId: d.sessionId });
  const attemptId = command.type === 'session.open_in_attempt' ? command.data.attemptId : null;
  if (attemptId && command.actor.kind !== 'system') {
    throw new DomainError('forbidden', 'sessions in an attempt are opened by its seat: use session.spawn_in_attempt', { attemptId });
  }
  const { template, templateId } = command.data;
  if (command.data.strategy === 'queue' && template.spec.kind !== 'agent') {
    throw new DomainError('validation', `template ${templateId} runs a plain command; a queue session needs an agent`, { templateId });
  }
  const { sessionId: _s, template: _t, ...r } = command.data;
  d.emit(
    SessionRequested({
      projectId: r.projectId,
      templateId: r.templateId,
      taskIds: r.taskIds,
      attemptId,
      parentSessionId: r.parentSessionId,
      strategy: r.strategy,
      role: r.role,
      name: r.name,
      origin: r.origin,
      runnerLabels: r.runnerLabels,
      budget: r.budget,
      prompt: r.prompt,
      ...(r.permissionMode ? { permissionMode: r.permissionMode } : {}),
    }),
    SessionTemplatePinned({ templateId, ...template }),
  );
  const name = r.name || template.spec.name;
  return d.timeline('session_started', `${name} requested (${templateId} v${template.version})`, {
    source: command.actor.kind === 'agent' ? 'agent' : command.actor.kind === 'system' ? 'system' : 'user',
    metadata: { templateId, version: template.version, strategy: r.strategy, role: r.role, taskIds: r.taskIds, ...(attemptId ? { attemptId } : {}) },
  });
}

/** The process ended on its own: a restart per policy, or the final status the run earned. */
function exited(d: SessionDecision, runnerId: string, exitCode: number | null, signal: string | null): SessionDecision {
  const { spec } = d.template;
  d.processExited(runnerId, exitCode, signal);
  const how = signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
  const unfinished = d.state.items.filter((i) => i.status === 'queued' || i.status === 'processing').length;
  if (spec.kind === 'command') {
    const verdict = d.state.verdict;
    const failed = exitCode !== 0 || signal !== null || verdict === 'failed';
    return d.restartOr(verdict ?? 'exited', { failed, reason: how, source: 'process', exitCode });
  }
  if (d.state.status === 'spawning') return d.restartOr('failed', { failed: true, reason: `${how} before it was ready`, source: 'process', exitCode });
  const queueLeft = d.facts.strategy === 'queue' && unfinished > 0;
  const failed = exitCode !== 0 || signal !== null || queueLeft;
  const reason = queueLeft ? `${how} with ${unfinished} queue item${unfinished === 1 ? '' : 's'} left` : how;
  return d.restartOr(failed ? 'failed' : 'completed', { failed, reason, source: 'process', exitCode });
}
