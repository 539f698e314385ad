import {
  DomainError,
  TaskBlocked,
  TaskStatusChanged,
  type NewEvent,
  type StatusCause,
  type TaskStatus,
} from '@baton/events';
import { describeCycle, findNewCycle } from './cycles';
import { childrenIndex, deriveStatuses, descendantsOf } from './graph';
import { cloneGraph, evolveGraph, type AttemptNode, type GraphFact, type GraphState, type TaskNode } from './task-graph.state';

interface Intent {
  cause: StatusCause;
  attemptId?: string;
  reason?: string;
}

/**
 * One command's decision over a working copy of the graph: events are applied as they
 * are decided, so later checks see earlier ones; `finish()` re-derives every status
 * and appends the consequences (ready, blocked, roll-up) to the same decision.
 */
export class Decision {
  readonly work: GraphState;
  private readonly events: NewEvent[] = [];
  private readonly intents = new Map<string, Intent>();

  constructor(
    private readonly original: GraphState,
    readonly projectId: string,
  ) {
    this.work = cloneGraph(original);
  }

  emit(...events: GraphFact[]): this {
    for (const e of events) {
      this.events.push(e);
      evolveGraph(this.work, e);
    }
    return this;
  }

  task(id: string): TaskNode {
    const node = this.work.tasks.get(id);
    if (!node) throw new DomainError('not_found', `task ${id} does not exist in project ${this.projectId}`, { taskId: id, projectId: this.projectId });
    return node;
  }

  attempt(taskId: string, attemptId: string): AttemptNode {
    const a = this.work.attempts.get(attemptId);
    if (!a || a.taskId !== taskId) {
      throw new DomainError('not_found', `attempt ${attemptId} of task ${taskId} does not exist`, { taskId, attemptId });
    }
    return a;
  }

  isParent(id: string): boolean {
    return [...this.work.tasks.values()].some((n) => n.parentId === id);
  }

  /** The tasks without subtasks in `id`'s subtree (itself when it has none). */
  leaves(id: string): string[] {
    const children = childrenIndex(this.work.tasks);
    return [id, ...descendantsOf(this.work.tasks, id, children)].filter((n) => !(children.get(n) ?? []).length);
  }

  subtree(id: string): string[] {
    return [id, ...descendantsOf(this.work.tasks, id)];
  }

  label(id: string): string {
    const n = this.work.tasks.get(id) ?? this.original.tasks.get(id);
    return n ? `#${n.number} "${n.title}"` : id;
  }

  /** A task's status is to become `status` for `cause`; the rules may still derive another (waiting, roll-up). */
  setStatus(taskId: string, status: TaskStatus, intent: Intent): this {
    const node = this.task(taskId);
    this.work.tasks.set(taskId, { ...node, status });
    this.intents.delete(taskId);
    this.intents.set(taskId, intent);
    return this;
  }

  /** Refuses the change when it makes a task wait, directly or through the tree, on itself. */
  refuseCycles(): this {
    const cycle = findNewCycle(this.original.tasks, this.work.tasks);
    if (cycle) {
      const described = describeCycle(cycle, (id) => this.label(id));
      throw new DomainError('conflict', `this change would create a dependency cycle: ${described}`, {
        path: cycle.path,
        edges: cycle.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, ...(e.via ? { via: e.via } : {}) })),
      });
    }
    return this;
  }

  finish(): NewEvent[] {
    const children = childrenIndex(this.work.tasks);
    const derived = deriveStatuses(this.work.tasks, children);
    const order = [...new Set([...this.intents.keys(), ...derived.keys()])];
    for (const id of order) {
      const d = derived.get(id);
      if (!d || !this.work.tasks.has(id)) continue;
      const from = this.original.tasks.get(id)?.status ?? 'todo';
      if (d.status === 'blocked' && from === 'blocked') {
        // Still blocked, maybe for other reasons: a read model must not show stale causes.
        const before = this.original.tasks.get(id)?.blockedBy ?? [];
        if (JSON.stringify(before) !== JSON.stringify(d.blockedBy ?? [])) this.emit(TaskBlocked({ taskId: id, from, blockedBy: d.blockedBy ?? [] }));
        else this.work.tasks.set(id, { ...this.work.tasks.get(id)!, status: from });
        continue;
      }
      if (d.status === from) {
        // An intent the rules overrode back to where it was: keep the working copy honest.
        this.work.tasks.set(id, { ...this.work.tasks.get(id)!, status: from });
        continue;
      }
      if (d.status === 'blocked') {
        this.emit(TaskBlocked({ taskId: id, from, blockedBy: d.blockedBy ?? [] }));
        continue;
      }
      const intent = this.intents.get(id);
      const isParent = (children.get(id) ?? []).length > 0;
      const cause: StatusCause =
        intent && !isParent ? intent.cause : isParent ? 'rolled_up' : d.status === 'ready' ? 'dependencies_met' : d.status === 'todo' ? 'dependencies_pending' : 'rolled_up';
      const extra = intent && !isParent ? { ...(intent.attemptId ? { attemptId: intent.attemptId } : {}), ...(intent.reason ? { reason: intent.reason } : {}) } : {};
      this.emit(TaskStatusChanged({ taskId: id, from, to: d.status, cause, ...extra }));
    }
    return this.events;
  }
}
