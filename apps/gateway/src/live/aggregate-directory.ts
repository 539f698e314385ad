import type { AggregateRef, RecordedEvent } from '@baton/events';
import { PROJECT_STACK_PREFIX } from '@baton/events';

const MAX_ENTRIES = 200_000;

/** Oldest-first eviction: enough for a cache of facts that never change. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

export interface DirectoryLookups {
  /** The first event of an aggregate (its creation), or null when it has none. */
  firstEvent(aggregate: AggregateRef): Promise<RecordedEvent | null>;
  /** A task's project, from the tasks service; null when it does not exist. */
  projectOfTask(taskId: string): Promise<string | null>;
  /** The runner a session is on now, from the sessions service; null when none (or unknown). */
  runnerOfSession(sessionId: string): Promise<string | null>;
  /** Every runner the session was placed on, from the sessions service; [] when none (or no such session). */
  runnersOfSession(sessionId: string): Promise<string[]>;
}

type Data = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const key = (a: AggregateRef) => `${a.type}:${a.id}`;

/**
 * Which project an aggregate belongs to, and which runner hosts a session: learnt from the
 * events as they pass (creation events say it) and looked up on a miss (an aggregate created
 * before this gateway started). A project never changes, so entries never go stale.
 */
export class AggregateDirectory {
  private readonly projects = new BoundedMap<string, string | null>(MAX_ENTRIES);
  private readonly runners = new BoundedMap<string, string | null>(MAX_ENTRIES);
  private readonly parents = new BoundedMap<string, string | null>(MAX_ENTRIES);
  /** Runners that hosted a session (they only ever grow): what placements said, and what the sessions service answered. */
  private readonly hosts = new BoundedMap<string, Set<string>>(MAX_ENTRIES);
  private readonly inflight = new Map<string, Promise<string | null>>();

  constructor(private readonly lookups: DirectoryLookups) {}

  learn(e: RecordedEvent): void {
    const d = (e.data ?? {}) as Data;
    const { id } = e.aggregate;
    switch (e.type) {
      case 'project.task_added':
        if (str(d.taskId)) this.projects.set(`task:${str(d.taskId)}`, id);
        break;
      case 'session.requested':
        this.parents.set(id, str(d.parentSessionId) ?? null);
        this.projects.set(key(e.aggregate), str(d.projectId) ?? null);
        break;
      case 'session_template.defined':
      case 'prompt_template.created':
        this.projects.set(key(e.aggregate), str(d.projectId) ?? null);
        break;
      case 'session.attempt_seat_claimed': {
        const projectId = str((d.request as Data | undefined)?.projectId);
        if (projectId) this.projects.set(key(e.aggregate), projectId);
        break;
      }
      case 'session.placed':
      case 'session.spawned': {
        const runnerId = str(d.runnerId);
        this.runners.set(id, runnerId ?? null);
        if (runnerId) this.hosts.set(id, (this.hosts.get(id) ?? new Set()).add(runnerId));
        break;
      }
      case 'session.restart_scheduled':
      case 'session.process_exited':
      case 'session.ended':
        this.runners.set(id, null);
        break;
    }
  }

  /** Known without I/O: `string` a project, `null` none, `undefined` unknown yet. */
  knownProjectOf(e: RecordedEvent): string | null | undefined {
    const { type, id } = e.aggregate;
    const d = (e.data ?? {}) as Data;
    switch (type) {
      case 'project':
        return id;
      case 'runner':
      case 'user':
      case 'notification_channel': // its events hold a URL and a secret: no room (decision 0027)
        return null;
      case 'session':
        if (id.startsWith(PROJECT_STACK_PREFIX)) return id.slice(PROJECT_STACK_PREFIX.length);
        return str(d.projectId) ?? this.projects.get(key(e.aggregate));
      case 'session_template':
      case 'prompt_template':
        if ('projectId' in d) return str(d.projectId) ?? null;
        return this.projects.get(key(e.aggregate));
      case 'task':
        return this.projects.get(key(e.aggregate));
    }
  }

  async projectOf(e: RecordedEvent): Promise<string | null> {
    const known = this.knownProjectOf(e);
    return known !== undefined ? known : this.projectOfAggregate(e.aggregate);
  }

  /** A session's project and parent (what agent scoping needs); null when there is no such session. */
  async session(sessionId: string): Promise<{ projectId: string; parentSessionId: string | null } | null> {
    const projectId = this.projects.get(`session:${sessionId}`);
    const parentSessionId = this.parents.get(sessionId);
    if (projectId && parentSessionId !== undefined) return { projectId, parentSessionId };
    const first = await this.lookups.firstEvent({ type: 'session', id: sessionId });
    if (!first || first.type !== 'session.requested') return null;
    const d = (first.data ?? {}) as Data;
    const found = { projectId: str(d.projectId) ?? '', parentSessionId: str(d.parentSessionId) ?? null };
    if (!found.projectId) return null;
    this.projects.set(`session:${sessionId}`, found.projectId);
    this.parents.set(sessionId, found.parentSessionId);
    return found;
  }

  async runnerOfSession(sessionId: string): Promise<string | null> {
    const known = this.runners.get(sessionId);
    if (known !== undefined) return known;
    const runnerId = await this.lookups.runnerOfSession(sessionId).catch(() => null);
    // Not cached: the next event about the session says it for sure.
    return runnerId;
  }

  /**
   * Whether the runner was ever placed with the session: only those runners' terminal output
   * is the session's (a runner's NATS user may write `<ns>.term.*.<its id>`, any session id).
   * A runner not known from passing events is looked up: the placement may simply not have
   * reached this gateway yet.
   */
  async hosted(sessionId: string, runnerId: string): Promise<boolean> {
    if (this.hosts.get(sessionId)?.has(runnerId)) return true;
    const found = await this.lookups.runnersOfSession(sessionId).catch(() => [] as string[]);
    if (!found.length) return false;
    const known = this.hosts.get(sessionId) ?? new Set<string>();
    for (const r of found) known.add(r);
    this.hosts.set(sessionId, known);
    return known.has(runnerId);
  }

  private projectOfAggregate(aggregate: AggregateRef): Promise<string | null> {
    const k = key(aggregate);
    const known = this.projects.get(k);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.inflight.get(k);
    if (!pending) {
      pending = this.lookUp(aggregate)
        .then((projectId) => {
          // A miss is not remembered: the aggregate may simply not exist yet.
          if (projectId !== null) this.projects.set(k, projectId);
          return projectId;
        })
        .finally(() => this.inflight.delete(k));
      this.inflight.set(k, pending);
    }
    return pending;
  }

  private async lookUp(aggregate: AggregateRef): Promise<string | null> {
    switch (aggregate.type) {
      case 'project':
        return aggregate.id;
      case 'task':
        return this.lookups.projectOfTask(aggregate.id);
      case 'session':
      case 'session_template':
      case 'prompt_template': {
        if (aggregate.type === 'session' && aggregate.id.startsWith(PROJECT_STACK_PREFIX)) return aggregate.id.slice(PROJECT_STACK_PREFIX.length);
        // The first event names the project: session.requested, the seat's claim, a template's creation.
        const first = await this.lookups.firstEvent(aggregate);
        if (!first) return null;
        const d = (first.data ?? {}) as Data;
        return str(d.projectId) ?? str((d.request as Data | undefined)?.projectId) ?? null;
      }
      default:
        return null;
    }
  }
}
