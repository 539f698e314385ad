import {
  DomainError,
  ProcessExited,
  RestartScheduled,
  SessionEnded,
  SessionReady,
  SessionStatusChanged,
  TimelineRecorded,
  isFinalStatus,
  maskSecretValues,
  secretEnvValues,
  type FinalSessionStatus,
  type NewEvent,
  type SessionStatus,
  type SignalSource,
  type TimelineKind,
} from '@baton/events';
import { decideRestart } from './restart-policy';
import { evolveSession, liveWorkers, type PinnedTemplate, type SessionFacts, type SessionFact, type SessionState } from './session.state';
import { acceptSignal, canTransition, PROCESS_BOUND } from './status-rules';

type TimelineData = Parameters<typeof TimelineRecorded>[0];

/** Events whose text is shown (timeline, status reasons): a secret env value of the template never stays in them. */
const SHOWN_TEXT: ReadonlySet<string> = new Set(['session.timeline_recorded', 'session.status_changed', 'session.queue_item_changed', 'session.restart_scheduled', 'session.ended']);

/**
 * One command's decision over a working copy of the session: events are folded as they
 * are decided, so later rules see earlier ones. `now` is the command's `issuedAt`.
 */
export class SessionDecision {
  state: SessionState;
  readonly events: NewEvent[] = [];

  constructor(
    initial: SessionState,
    readonly sessionId: string,
    readonly now: string,
  ) {
    this.state = initial;
  }

  emit(...facts: SessionFact[]): this {
    for (const fact of facts) {
      const f = this.withoutSecrets(fact);
      this.events.push(f);
      this.state = evolveSession(this.state, f, this.now);
    }
    return this;
  }

  /** A setup script's output, an agent's report or a matched line may print the template's API key: cut it out. */
  private withoutSecrets(f: SessionFact): SessionFact {
    const spec = this.state.template?.spec;
    if (!spec || !SHOWN_TEXT.has(f.type)) return f;
    const secrets = secretEnvValues(spec);
    return secrets.length ? ({ ...f, data: maskSecretValues(f.data, secrets) } as SessionFact) : f;
  }

  get facts(): SessionFacts {
    if (!this.state.facts) throw new DomainError('not_found', `session ${this.sessionId} does not exist`, { sessionId: this.sessionId });
    return this.state.facts;
  }

  get template(): PinnedTemplate {
    if (!this.state.template) throw new DomainError('not_found', `session ${this.sessionId} has no template`, { sessionId: this.sessionId });
    return this.state.template;
  }

  /** Refuses commands that need a session still going. */
  requireLive(what: string): this {
    void this.facts;
    if (isFinalStatus(this.state.status)) {
      throw new DomainError('invalid_state', `session ${this.sessionId} is ${this.state.status}: cannot ${what}`, { sessionId: this.sessionId, status: this.state.status });
    }
    return this;
  }

  /** A runner's report about its process: 409 when the session ended or moved, so that runner kills what it still runs. */
  requireHosted(runnerId: string): this {
    void this.facts;
    if (isFinalStatus(this.state.status)) {
      throw new DomainError('conflict', `session ${this.sessionId} is ${this.state.status}: stop its process`, { sessionId: this.sessionId, status: this.state.status });
    }
    return this.requireRunner(runnerId);
  }

  /** A report from the runner that no longer hosts it: 409 tells that runner to kill its orphan. */
  requireRunner(runnerId: string): this {
    if (this.state.runnerId !== runnerId) {
      throw new DomainError('conflict', `session ${this.sessionId} is not on runner ${runnerId}${this.state.runnerId ? ` (it is on ${this.state.runnerId})` : ''}`, {
        sessionId: this.sessionId,
        runnerId: this.state.runnerId,
      });
    }
    return this;
  }

  /**
   * Fencing (docs/decisions/0026): a runner's report names the placement epoch its copy runs
   * under; an older one is a copy the session was moved away from, refused with a conflict so
   * that runner stops it without reporting for it. While `lost`, a report from the placed runner
   * under the current epoch proves the session still runs there: it is reclaimed first.
   * No epoch (a runner older than fencing): only the runner id is checked.
   */
  requireEpoch(runnerId: string, epoch: number | undefined): this {
    // Pending (moved, not placed again yet): no placement is current, every epoch is over.
    const over = this.state.status === 'pending';
    if (epoch !== undefined && (epoch !== this.state.epoch || over)) {
      throw new DomainError('conflict', `session ${this.sessionId} was moved: placement ${epoch} on runner ${runnerId} is stale (now ${this.state.epoch})`, {
        sessionId: this.sessionId,
        runnerId: this.state.runnerId,
        epoch: this.state.epoch,
        staleEpoch: epoch,
      });
    }
    if (this.state.status === 'lost' && this.state.runnerId === runnerId) this.reclaim(runnerId, 'its runner reported');
    return this;
  }

  /**
   * A lost session proves it still runs (its runner beats again and lists it, its runner reports,
   * or its agent reports): back to the status it had, nothing restarted. Should its runner stay
   * silent, the watcher marks it lost again.
   */
  reclaim(runnerId: string, how: string): this {
    if (this.state.status !== 'lost') return this;
    const from = this.state.lostFrom;
    const back: SessionStatus =
      from === null || from === 'spawning' || !PROCESS_BOUND.has(from) || this.state.process !== 'running'
        ? this.state.ready && this.state.process === 'running'
          ? statusWhenReady(this.template.spec.kind)
          : 'spawning'
        : from;
    const why = `session reclaimed on runner ${runnerId}: ${how}`;
    return this.status(back, 'system', why).timeline('milestone', why, { source: 'system', metadata: { runnerId, epoch: this.state.epoch } });
  }

  /** A status change the machine allows; throws invalid_state otherwise. Same status: nothing. */
  status(to: SessionStatus, source: SignalSource, reason: string, until: string | null = null): this {
    const from = this.state.status;
    if (from === to) return this;
    if (!canTransition(from, to)) throw new DomainError('invalid_state', `session ${this.sessionId} cannot go from ${from} to ${to}`, { from, to });
    if (PROCESS_BOUND.has(to) && this.state.process !== 'running') {
      throw new DomainError('invalid_state', `session ${this.sessionId} cannot be ${to}: its process is not running`, { from, to });
    }
    return this.emit(SessionStatusChanged({ from, to, source, reason, ...(until ? { until } : {}) }));
  }

  /** A status signal, fused (status-rules.ts): applied when accepted, otherwise nothing. */
  signal(to: SessionStatus, source: SignalSource, reason: string): boolean {
    const verdict = acceptSignal(this.state, source, to);
    if (verdict.accept) this.status(to, source, reason);
    return verdict.accept;
  }

  timeline(kind: TimelineKind, message: string, extra: Partial<TimelineData> = {}): this {
    return this.emit(TimelineRecorded({ kind, message: message.slice(0, 10_000), taskId: null, progress: null, metadata: {}, ...extra }));
  }

  /**
   * The session becomes ready: spawning → idle (agent) or working (command). A status it took
   * before from output or typing (a dialog shown as needs_input, the keys that answered it) was
   * about that dialog, so it gives way too; the agent's own reports and a usage limit stay.
   */
  ready(via: 'registered' | 'ready_pattern' | 'spawned', source: SignalSource, agent: string | null = null, conversationId: string | null = null): this {
    if (this.state.ready) return this;
    const before = this.state.status;
    this.emit(SessionReady({ via, agent, origin: this.facts.origin, ...(conversationId ? { conversationId } : {}) }));
    const aboutADialog = (before === 'needs_input' || before === 'working') && !this.state.agentReports;
    if (before === 'spawning' || aboutADialog) this.status(statusWhenReady(this.template.spec.kind), source, readyReason(via));
    return this;
  }

  /** The process may still run (or be about to): its runner must kill it. */
  get processMayRun(): boolean {
    return this.state.runnerId !== null && (this.state.process === 'running' || this.state.status === 'spawning' || this.state.status === 'lost');
  }

  end(status: FinalSessionStatus, source: SignalSource, reason: string, opts: { cascade?: boolean; exitCode?: number | null } = {}): this {
    const facts = this.facts;
    const killProcess = this.processMayRun;
    const runnerId = this.state.runnerId;
    this.status(status, source, reason);
    this.timeline('session_stopped', reason ? `${status}: ${reason}` : status, { source });
    return this.emit(
      SessionEnded({
        status,
        reason,
        exitCode: opts.exitCode ?? this.state.exitCode,
        runnerId,
        killProcess,
        cascadeTo: opts.cascade ? liveWorkers(this.state) : [],
        projectId: facts.projectId,
        attemptId: facts.attemptId,
        taskIds: facts.taskIds,
        parentSessionId: facts.parentSessionId,
        origin: facts.origin,
      }),
    );
  }

  /** After an exit, a lost runner or a stall: restart per the template's policy, or end as `otherwise`. */
  restartOr(otherwise: FinalSessionStatus, opts: { failed: boolean; reason: string; source: SignalSource; forced?: boolean; exitCode?: number | null }): this {
    const { spec } = this.template;
    const lastRunMs = this.state.lastSpawnedAt ? Date.parse(this.now) - Date.parse(this.state.lastSpawnedAt) : null;
    const decision = decideRestart({ policy: spec.restart, restarts: this.state.restarts, failed: opts.failed, lastRunMs, now: this.now, forced: opts.forced });
    if (!decision.restart) return this.end(otherwise, opts.source, `${opts.reason}; not restarted: ${decision.reason}`, { exitCode: opts.exitCode, cascade: false });
    const previousRunnerId = this.state.runnerId;
    const killProcess = this.processMayRun;
    this.timeline('restarted', `restart ${decision.number} of ${spec.restart.maxRestarts} in ${Math.round(decision.delayMs / 1000)}s: ${opts.reason}`, {
      source: opts.source,
      metadata: { restart: decision.number, delayMs: decision.delayMs, previousRunnerId },
    });
    this.emit(RestartScheduled({ restart: decision.number, reason: opts.reason, notBefore: decision.notBefore, previousRunnerId, killProcess, ...(killProcess ? { epoch: this.state.epoch } : {}) }));
    return this.status('pending', opts.source, `restart ${decision.number}: ${opts.reason}`, decision.notBefore);
  }

  processExited(runnerId: string, exitCode: number | null, signal: string | null): this {
    return this.emit(ProcessExited({ runnerId, exitCode, signal }));
  }
}

/** Where a spawning session goes once ready: an agent waits for work, a command works. (The read model applies the same rule.) */
export function statusWhenReady(kind: 'agent' | 'command'): SessionStatus {
  return kind === 'agent' ? 'idle' : 'working';
}

export function readyReason(via: 'registered' | 'ready_pattern' | 'spawned'): string {
  return `ready (${via.replace('_', ' ')})`;
}
