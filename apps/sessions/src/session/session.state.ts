import {
  ZERO_USAGE,
  isSubmittedInput,
  type RunnerStart,
  type Budget,
  type FinalSessionStatus,
  type LabelsMap,
  type PermissionMode,
  type QueueItemStatus,
  type SessionEvent,
  type SessionOrigin,
  type SessionRole,
  type SessionStatus,
  type SessionStrategy,
  type SessionTemplateSpec,
  type Usage,
} from '@baton/events';

export interface QueueItem {
  taskId: string;
  status: QueueItemStatus;
}

/** What the session was requested as; fixed for its whole life. */
export type QueuedInput = RunnerStart['initialInput'][number];

export interface SessionFacts {
  projectId: string;
  templateId: string;
  taskIds: string[];
  attemptId: string | null;
  parentSessionId: string | null;
  strategy: SessionStrategy;
  role: SessionRole;
  name: string;
  origin: SessionOrigin;
  runnerLabels: LabelsMap;
  budget: Budget | null;
  prompt: string | null;
  permissionMode: PermissionMode | null;
}

export interface PinnedTemplate {
  templateId: string;
  version: number;
  builtIn: boolean;
  spec: SessionTemplateSpec;
}

export type ProcessState = 'none' | 'running' | 'exited';

/**
 * A session as its decider sees it. The timeline is not kept here (it only grows);
 * `replaySession` rebuilds it from the events.
 */
export interface SessionState {
  exists: boolean;
  facts: SessionFacts | null;
  template: PinnedTemplate | null;
  status: SessionStatus;
  statusSince: string | null;
  /** `waiting_quota`: when the limit lifts; `pending`: not placed before this instant. */
  until: string | null;
  runnerId: string | null;
  /** Placements so far: the current placement's epoch (fencing, docs/decisions/0026); 0 before the first. */
  epoch: number;
  /** While `lost`: the status it had, given back when its runner reclaims it. */
  lostFrom: SessionStatus | null;
  process: ProcessState;
  pid: number | null;
  ready: boolean;
  /** The agent reported a status itself: output heuristics no longer decide its status. */
  agentReports: boolean;
  /** Last report, registration, input or status change: activity the watchdog counts. */
  lastSignalAt: string | null;
  /** A plain command's last success/error pattern match. */
  verdict: 'succeeded' | 'failed' | null;
  /** Restarts counted by the restart policy (may start over after a long run). */
  restarts: number;
  /** Processes started so far. */
  runs: number;
  lastSpawnedAt: string | null;
  /** Input sent before the process ran: typed in at start. */
  /** Input sent before the process ran: raw keystrokes, or a message to submit. */
  queuedInput: QueuedInput[];
  items: QueueItem[];
  usage: Usage;
  workers: Record<string, 'running' | FinalSessionStatus>;
  exitCode: number | null;
  endedReason: string | null;
}

export function initialSessionState(): SessionState {
  return {
    exists: false,
    facts: null,
    template: null,
    status: 'pending',
    statusSince: null,
    until: null,
    runnerId: null,
    epoch: 0,
    lostFrom: null,
    process: 'none',
    pid: null,
    ready: false,
    agentReports: false,
    lastSignalAt: null,
    verdict: null,
    restarts: 0,
    runs: 0,
    lastSpawnedAt: null,
    queuedInput: [],
    items: [],
    usage: ZERO_USAGE,
    workers: {},
    exitCode: null,
    endedReason: null,
  };
}

type Facts<E> = E extends { type: string; data: unknown } ? Pick<E, 'type' | 'data'> : never;
/** A session event with or without its envelope: decide folds its own new events with the same function. */
export type SessionFact = Facts<SessionEvent>;

/** Pure: returns a new state. `at` is the event's time (the command's `issuedAt` while deciding). */
export function evolveSession(state: SessionState, event: SessionFact, at: string): SessionState {
  switch (event.type) {
    case 'session.requested': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        facts: {
          projectId: d.projectId,
          templateId: d.templateId,
          taskIds: d.taskIds,
          attemptId: d.attemptId,
          parentSessionId: d.parentSessionId,
          strategy: d.strategy,
          role: d.role,
          name: d.name ?? '',
          origin: d.origin ?? (d.attemptId ? { kind: 'attempt' } : { kind: 'manual' }),
          runnerLabels: d.runnerLabels ?? {},
          budget: d.budget ?? null,
          prompt: d.prompt ?? null,
          permissionMode: d.permissionMode ?? null,
        },
        status: 'pending',
        statusSince: at,
        lastSignalAt: at,
        items: d.taskIds.map((taskId) => ({ taskId, status: 'queued' })),
      };
    }
    case 'session.template_pinned': {
      const { templateId, version, builtIn, spec } = event.data;
      return { ...state, template: { templateId, version, builtIn, spec } };
    }
    case 'session.placed':
      return { ...state, runnerId: event.data.runnerId, epoch: state.epoch + 1 };
    case 'session.spawned':
      return {
        ...state,
        runnerId: event.data.runnerId,
        process: 'running',
        pid: event.data.pid,
        runs: state.runs + 1,
        lastSpawnedAt: at,
        queuedInput: [],
      };
    case 'session.ready':
      // An agent that registers proves its process runs, even before the runner said so.
      return { ...state, ready: true, process: state.process === 'none' ? 'running' : state.process, lastSignalAt: at };
    case 'session.status_changed': {
      const { to, source } = event.data;
      const next: SessionState = {
        ...state,
        status: to,
        statusSince: at,
        until: event.data.until ?? null,
        lastSignalAt: at,
        agentReports: state.agentReports || source === 'agent',
      };
      // Lost: its process may well still run (a runner that is only slow); it is kept in case the runner reclaims it.
      if (to === 'lost') return { ...next, lostFrom: event.data.from };
      if (state.status === 'lost') next.lostFrom = null;
      if (to === 'pending') return { ...next, runnerId: null, process: 'none', pid: null, ready: false, verdict: null };
      return next;
    }
    case 'session.timeline_recorded': {
      const d = event.data;
      let next = d.source === 'agent' || d.source === 'output' ? { ...state, lastSignalAt: at } : state;
      if (d.kind === 'worker_spawned' && d.workerId && !next.workers[d.workerId]) next = { ...next, workers: { ...next.workers, [d.workerId]: 'running' } };
      if (d.kind === 'worker_finished' && d.workerId && d.workerStatus) {
        const s = d.workerStatus;
        const final = s === 'completed' || s === 'failed' || s === 'stopped' || s === 'succeeded' || s === 'exited' ? s : 'failed';
        next = { ...next, workers: { ...next.workers, [d.workerId]: final } };
      }
      if (d.match?.pattern === 'success') next = { ...next, verdict: 'succeeded' };
      if (d.match?.pattern === 'error' && next.template?.spec.kind === 'command') next = { ...next, verdict: 'failed' };
      return next;
    }
    case 'session.queue_item_changed': {
      const { taskId, to } = event.data;
      return { ...state, items: state.items.map((i) => (i.taskId === taskId ? { ...i, status: to } : i)) };
    }
    case 'session.usage_reported':
      return { ...state, usage: event.data.total };
    case 'session.input_sent':
      return {
        ...state,
        lastSignalAt: at,
        queuedInput: event.data.runnerId === null ? [...state.queuedInput, isSubmittedInput(event.data.kind) ? { data: event.data.text, submit: true as const } : event.data.text] : state.queuedInput,
      };
    case 'session.process_exited':
      return { ...state, process: 'exited', exitCode: event.data.exitCode };
    case 'session.restart_scheduled':
      return { ...state, restarts: event.data.restart, queuedInput: [] };
    case 'session.ended':
      return { ...state, exitCode: event.data.exitCode ?? state.exitCode, endedReason: event.data.reason };
    default: {
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

/** The task the session works on now: the attempt's, the queue item in progress, or its only task. */
export function currentTaskId(state: SessionState): string | null {
  const processing = state.items.find((i) => i.status === 'processing');
  if (processing) return processing.taskId;
  const taskIds = state.facts?.taskIds ?? [];
  return taskIds.length === 1 ? taskIds[0] : null;
}

export function liveWorkers(state: SessionState): string[] {
  return Object.entries(state.workers)
    .filter(([, s]) => s === 'running')
    .map(([id]) => id);
}
