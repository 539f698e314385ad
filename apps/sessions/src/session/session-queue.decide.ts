import {
  DomainError,
  QueueComplete,
  QueueFail,
  QueueItemChanged,
  QueueNext,
  QueueSkip,
  type CommandOf,
  type QueueItemStatus,
  type SignalSource,
  type TimelineKind,
} from '@baton/events';
import type { SessionDecision } from './session-decision';

export type QueueCommand = CommandOf<typeof QueueNext> | CommandOf<typeof QueueComplete> | CommandOf<typeof QueueFail> | CommandOf<typeof QueueSkip>;
const QUEUE_TYPES: ReadonlySet<string> = new Set([QueueNext.type, QueueComplete.type, QueueFail.type, QueueSkip.type]);
export function isQueueCommand(c: { type: string }): c is QueueCommand {
  return QUEUE_TYPES.has(c.type);
}

/** Item moves: queued → processing → completed | failed | skipped (queued ones may be skipped, or finished by a simple session's report). */
const ITEM_MOVES: Readonly<Record<QueueItemStatus, readonly QueueItemStatus[]>> = {
  queued: ['processing', 'skipped', 'completed', 'failed'],
  processing: ['completed', 'failed', 'skipped'],
  completed: [],
  failed: [],
  skipped: [],
};
const ITEM_TIMELINE: Record<Exclude<QueueItemStatus, 'queued'>, TimelineKind> = {
  processing: 'task_started',
  completed: 'task_completed',
  failed: 'task_failed',
  skipped: 'task_skipped',
};

/** Queue strategy (`baton queue next|complete|fail|skip`): ordered items, one at a time; drained → completed. */
export function decideQueue(command: QueueCommand, d: SessionDecision): SessionDecision {
  d.requireLive(command.type.replace('session.queue_', 'queue '));
  if (d.facts.strategy !== 'queue') throw new DomainError('validation', `session ${d.sessionId} uses the simple strategy; report tasks instead`, { sessionId: d.sessionId });
  requireRunning(d);
  switch (command.type) {
    case 'session.queue_next': {
      const processing = d.state.items.find((i) => i.status === 'processing');
      if (processing) {
        throw new DomainError('conflict', `task ${processing.taskId} is still processing: complete, fail or skip it first`, { taskId: processing.taskId });
      }
      const next = d.state.items.find((i) => i.status === 'queued');
      if (!next) return d;
      moveItem(d, next.taskId, 'processing', 'next in queue', 'agent');
      d.signal('working', 'agent', `working on task ${next.taskId}`);
      return d;
    }
    case 'session.queue_complete':
      moveItem(d, inProgress(d, command.data.taskId), 'completed', command.data.message, 'agent', command.data.message);
      return settle(d, 'agent');
    case 'session.queue_fail':
      moveItem(d, inProgress(d, command.data.taskId), 'failed', command.data.reason, 'agent', command.data.reason);
      return settle(d, 'agent');
    case 'session.queue_skip':
      moveItem(d, targetItem(d, command.data.taskId, 'any'), 'skipped', command.data.reason, 'agent', command.data.reason);
      return settle(d, 'agent');
    default: {
      const unknown: never = command;
      throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

/** A queue finishes only the item it took with `next`. */
function inProgress(d: SessionDecision, taskId: string | null): string {
  const id = targetItem(d, taskId, 'processing');
  const item = d.state.items.find((i) => i.taskId === id);
  if (item && item.status !== 'processing') throw new DomainError('conflict', `task ${id} is ${item.status}, not in progress: take it with queue next`, { taskId: id, status: item.status });
  return id;
}

/** Agent commands before it was ready count as its registration; after its process died they are refused. */
export function requireRunning(d: SessionDecision): void {
  if (d.state.status === 'pending') throw new DomainError('invalid_state', `session ${d.sessionId} has not started yet`, { sessionId: d.sessionId });
  // Held lost (docs/decisions/0026): its agent reporting proves it runs — reclaimed, so no live agent is told it moved.
  if (d.state.status === 'lost' && d.state.runnerId) d.reclaim(d.state.runnerId, 'its agent reported');
  if (d.state.status === 'lost') throw new DomainError('conflict', `session ${d.sessionId} was lost; it restarts elsewhere`, { sessionId: d.sessionId });
  if (d.state.status === 'spawning') d.ready('registered', 'agent');
}

/** The item a command names, or the one in progress (`need: 'processing'`), or, failing that, a lone task. */
export function targetItem(d: SessionDecision, taskId: string | null, need: 'processing' | 'any'): string {
  if (taskId) return taskId;
  const processing = d.state.items.find((i) => i.status === 'processing');
  if (processing) return processing.taskId;
  if (need === 'any' && d.state.items.length === 1) return d.state.items[0].taskId;
  throw new DomainError('invalid_state', `session ${d.sessionId} has no task in progress; name the task`, { sessionId: d.sessionId });
}

export function moveItem(d: SessionDecision, taskId: string, to: QueueItemStatus, reason: string, source: SignalSource, message = ''): void {
  const item = d.state.items.find((i) => i.taskId === taskId);
  if (!item) throw new DomainError('not_found', `task ${taskId} is not one of session ${d.sessionId}'s tasks`, { sessionId: d.sessionId, taskId });
  if (item.status === to) return;
  if (!ITEM_MOVES[item.status].includes(to)) {
    throw new DomainError('conflict', `task ${taskId} is already ${item.status} in session ${d.sessionId}`, { taskId, status: item.status });
  }
  const { projectId, attemptId } = d.facts;
  d.emit(QueueItemChanged({ taskId, from: item.status, to, reason, projectId, attemptId }));
  if (to !== 'queued') d.timeline(ITEM_TIMELINE[to], message || `task ${taskId} ${to}`, { taskId, source });
}

/** After an item finished: a drained queue completes the session; otherwise the agent waits for its next item. */
export function settle(d: SessionDecision, source: SignalSource): SessionDecision {
  if (d.facts.strategy !== 'queue') return d;
  const open = d.state.items.filter((i) => i.status === 'queued' || i.status === 'processing');
  if (open.length === 0) {
    const count = (s: QueueItemStatus) => d.state.items.filter((i) => i.status === s).length;
    return d.end('completed', source, `queue drained: ${count('completed')} completed, ${count('failed')} failed, ${count('skipped')} skipped`);
  }
  if (!open.some((i) => i.status === 'processing')) d.signal('idle', source, 'waiting for the next task');
  return d;
}
