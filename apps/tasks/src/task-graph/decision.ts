import {
  DomainError,
  TaskBlocked,
  TaskStatusChanged,
  type NewEvent,
  type StatusCause,
  type TaskStatus,
} from '@baton/events';
import { CowMap } from './copy-on-write';
import { describeCycle, findNewCycle, findNewCycleAround } from './cycles';
import { childrenIndex, deriveStatuses, descendantsOf, type Children, type Derived } from './graph';
import { deriveAround, recordsDiffer } from './neighbourhood';
import { cloneGraph, evolveGraph, overlayGraph, type AttemptNode, type GraphFact, type GraphState, type TaskNode } from './task-graph.state';

interface Intent {
  cause: StatusCause;
  attemptId?: string;
  reason?: string;
}

/**
 * States known to be settled — every recorded status (and blocked task's reasons) is the one
 * the rules derive — at a revision: `verified` by a full derivation, or `claimed` by a
 * decision whose events, once folded, leave it so. Kept beside the state, not in it: a
 * state is folded in place, so it keeps its entry while the processor caches it.
 */
const settledAt = new WeakMap<GraphState, { verified?: number; claimed?: number }>();

let reference = false;
/**
 * Runs `fn` with every decision made as before #18 point 4: a full copy of the graph and
 * every status derived again. The randomised spec's oracle for the incremental decision.
 */
export function withFullDerivation<T>(fn: () => T): T {
  reference = true;
  try {
    return fn();
  } finally {
    reference = false;
  }
}

/**
 * One command's decision over a working copy of the graph: events are applied as they
 * are decided, so later checks see earlier ones; `finish()` derives the statuses the
 * change can move and appends the consequences (ready, blocked, roll-up) to the same
 * decision. The copy is an overlay (nothing copied) and the derivation covers the
 * changed tasks and what waits on them, so a command's cost does not grow with the
 * project (#18 point 4); a state not known to be settled is derived in full once.
 */
export class Decision {
  readonly work: GraphState;
  private readonly events: NewEvent[] = [];
  private readonly intents = new Map<string, Intent>();
  /** The working copy's tasks; null for the reference decision. */
  private readonly overlay: CowMap<string, TaskNode> | null;

  constructor(
    private readonly original: GraphState,
    readonly projectId: string,
  ) {
    this.work = reference ? cloneGraph(original) : overlayGraph(original);
    this.overlay = this.work.tasks instanceof CowMap ? this.work.tasks : null;
  }

  /** Children of every task in the working copy: the kept index, or (reference) one built afresh. */
  private children(): Children {
    return this.overlay ? this.work.children : childrenIndex(this.work.tasks);
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
    if (this.overlay) return (this.work.children.get(id) ?? []).length > 0;
    return [...this.work.tasks.values()].some((n) => n.parentId === id);
  }

  /** The tasks without subtasks in `id`'s subtree (itself when it has none). */
  leaves(id: string): string[] {
    const children = this.children();
    return [id, ...descendantsOf(this.work.tasks, id, children)].filter((n) => !(children.get(n) ?? []).length);
  }

  subtree(id: string): string[] {
    return [id, ...descendantsOf(this.work.tasks, id, this.children())];
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
    const cycle = this.overlay
      ? findNewCycleAround(this.original, this.work, this.overlay.touched())
      : findNewCycle(this.original.tasks, this.work.tasks);
    if (cycle) {
      const described = describeCycle(cycle, (id) => this.label(id));
      throw new DomainError('conflict', `this change would create a dependency cycle: ${described}`, {
        path: cycle.path,
        edges: cycle.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, ...(e.via ? { via: e.via } : {}) })),
      });
    }
    return this;
  }

  /** Whether the state this decision started from is settled (see `settledAt`); checked in full once per revision. */
  private settled(): boolean {
    const known = settledAt.get(this.original);
    const revision = this.original.revision;
    if (known && (known.verified === revision || known.claimed === revision)) return true;
    let derived: Map<string, Derived>;
    try {
      derived = deriveStatuses(this.original.tasks, this.original.children);
    } catch {
      return false; // a cycle recorded by older rules: the full derivation says what to do
    }
    for (const [id, d] of derived) if (recordsDiffer(this.original.tasks.get(id), d)) return false;
    settledAt.set(this.original, { ...known, verified: revision });
    return true;
  }

  private derive(): { children: Children; derived: Map<string, Derived> } {
    if (!this.overlay) {
      const children = childrenIndex(this.work.tasks);
      return { children, derived: deriveStatuses(this.work.tasks, children) };
    }
    const children = this.work.children;
    const around = this.settled() ? deriveAround(this.original, this.work, this.overlay.touched(), new Set(this.intents.keys())) : null;
    return { children, derived: around ?? deriveStatuses(this.work.tasks, children) };
  }

  finish(): NewEvent[] {
    const { children, derived } = this.derive();
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
    // Folded, these events leave the state settled: every status the change could move is recorded.
    if (this.overlay) settledAt.set(this.original, { ...settledAt.get(this.original), claimed: this.work.revision });
    return this.events;
  }
}
