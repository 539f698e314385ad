import type { RecordedEvent } from '@baton/events';
import type { Logger } from '@baton/event-store';
import type { LiveEventMessage, LiveRoom, ResyncMessage } from '@baton/contracts';
import type { EventRoute } from './event-routing';
import { toLiveEvent } from './event-redaction';

/** The event log as the fan-out needs it (the EventStore, or a fake in a spec). */
export interface LogSource {
  lastSeq(): Promise<number>;
  follow(fromSeq: number, onEvent: (e: RecordedEvent) => void, onError?: (e: unknown, seq: number) => void): Promise<{ stop(): void }>;
  /** Events from `fromSeq` to `toSeq` inclusive, in order (undecodable ones skipped). */
  read(opts: { fromSeq: number; toSeq: number }): AsyncIterable<RecordedEvent>;
}

/** The sockets as the fan-out needs them (socket.io, or a fake in a spec). */
export interface LiveOutlet {
  /** To every socket in any of the rooms, once each, except the sockets named. */
  broadcast(rooms: LiveRoom[], except: ReadonlySet<string>, msg: LiveEventMessage): void;
  send(socketId: string, msg: LiveEventMessage): void;
  resync(socketId: string, msg: ResyncMessage): void;
  join(socketId: string, rooms: LiveRoom[]): void;
  /** The rooms the socket is in (not its own id). */
  roomsOf(socketId: string): LiveRoom[];
  /** Every `project:*` room somebody is in. */
  projectRooms(): LiveRoom[];
}

export interface EventFanoutOptions {
  source: LogSource;
  outlet: LiveOutlet;
  route(e: RecordedEvent): EventRoute | Promise<EventRoute>;
  /** Sees every event once, in order, before it is routed (the directory learns from it). */
  learn(e: RecordedEvent): void;
  /** A resume further back than this gets `resync` instead of a replay. */
  resumeMax: number;
  logger: Logger;
}

/** How long a resume waits for this gateway to reach a `sinceSeq` another gateway had passed. */
const CATCH_UP_MS = 5_000;

/** A socket between "replay what it missed" and "in its rooms": live events wait here. */
class Handover {
  readonly buffer: LiveEventMessage[] = [];
  constructor(readonly rooms: ReadonlySet<LiveRoom>) {}

  wants(rooms: LiveRoom[], route: EventRoute): boolean {
    if (rooms.some((r) => this.rooms.has(r))) return true;
    return route.everyProject && [...this.rooms].some((r) => r.startsWith('project:'));
  }
}

/**
 * ONE ordered follower of the event log per gateway process, from "now". Each event is
 * routed (its project may need a lookup, so routing is a queue that keeps the order) and
 * emitted once to the union of its rooms.
 *
 * Resume: a socket that subscribes with `sinceSeq` is held out of broadcasts while it is
 * handed over. The log is replayed to it from `sinceSeq + 1` to the last event dispatched
 * when the handover began (filtered to its new rooms); live events dispatched meanwhile
 * are buffered for it; then, in one synchronous step, the buffer is flushed (only what is
 * newer than the last event sent: the de-duplication) and the socket joins its rooms.
 * Nothing can be dispatched between the flush and the join, so there is no gap either.
 */
export class EventFanout {
  private lastDispatched = 0;
  private lastQueued = 0;
  private readonly queue: RecordedEvent[] = [];
  private draining = false;
  private readonly handovers = new Map<string, Handover>();
  private readonly excluded = new Set<string>();
  private follower: { stop(): void } | null = null;
  private idle: (() => void)[] = [];
  private readonly waiters = new Set<{ seq: number; resolve(): void }>();

  constructor(private readonly o: EventFanoutOptions) {}

  /** Stream sequence of the last event dispatched. */
  get position(): number {
    return this.lastDispatched;
  }

  async start(): Promise<void> {
    this.lastDispatched = this.lastQueued = await this.o.source.lastSeq();
    this.follower = await this.o.source.follow(
      this.lastDispatched + 1,
      (e) => this.enqueue(e),
      (err, seq) => this.o.logger.warn({ err, seq }, 'live: an event could not be decoded; skipped'),
    );
  }

  stop(): void {
    this.follower?.stop();
    this.follower = null;
  }

  /** Resolves once everything received so far was dispatched (specs). */
  settled(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /**
   * Joins the socket to `rooms`. With `sinceSeq`, first replays what those of the rooms it
   * was not in yet missed after it. Calls for one socket must not overlap (the gateway
   * serializes them). Returns the last sequence the socket has been brought up to.
   */
  async subscribe(socketId: string, rooms: LiveRoom[], sinceSeq?: number): Promise<number> {
    const current = new Set(this.o.outlet.roomsOf(socketId));
    const fresh = rooms.filter((r) => !current.has(r));
    if (sinceSeq === undefined) {
      this.o.outlet.join(socketId, fresh);
      return this.lastDispatched;
    }
    const handover = new Handover(new Set([...current, ...fresh]));
    this.handovers.set(socketId, handover);
    this.excluded.add(socketId);
    try {
      if (sinceSeq > this.lastDispatched) {
        // Seen through another gateway that is ahead of this one: wait until this one got
        // there too (the buffer keeps what passes meanwhile), so nothing is sent twice.
        sinceSeq = Math.min(sinceSeq, await this.o.source.lastSeq());
        await this.reached(sinceSeq, CATCH_UP_MS);
      }
      const toSeq = this.lastDispatched;
      let sent = sinceSeq;
      if (toSeq - sinceSeq > this.o.resumeMax) {
        this.o.outlet.resync(socketId, { kind: 'events', reason: 'too_far_behind', rooms, seq: toSeq });
        sent = toSeq;
      } else if (toSeq > sinceSeq && fresh.length > 0) {
        sent = await this.replay(socketId, new Set(fresh), sinceSeq + 1, toSeq);
      } else {
        sent = Math.max(sinceSeq, toSeq);
      }
      // From here on synchronous: the buffer, then the rooms.
      for (const msg of handover.buffer) {
        if (msg.seq <= sent) continue;
        this.o.outlet.send(socketId, msg);
        sent = msg.seq;
      }
      this.o.outlet.join(socketId, fresh);
      return Math.max(sent, this.lastDispatched);
    } finally {
      this.handovers.delete(socketId);
      this.excluded.delete(socketId);
    }
  }

  /** Resolves once the event at `seq` was dispatched, or after `timeoutMs`. */
  private reached(seq: number, timeoutMs: number): Promise<void> {
    if (this.lastDispatched >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { seq, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve();
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private async replay(socketId: string, rooms: ReadonlySet<LiveRoom>, fromSeq: number, toSeq: number): Promise<number> {
    const handover = new Handover(rooms);
    for await (const e of this.o.source.read({ fromSeq, toSeq })) {
      const seq = e.position.seq;
      if (seq > toSeq) break;
      const route = await this.o.route(e);
      const targets = this.targets(route);
      if (handover.wants(targets, route)) this.o.outlet.send(socketId, { seq, event: toLiveEvent(e) });
    }
    return toSeq;
  }

  private enqueue(e: RecordedEvent): void {
    const seq = e.position.seq;
    if (seq <= this.lastQueued) return; // a redelivery after a consumer reset
    this.lastQueued = seq;
    this.o.learn(e);
    this.queue.push(e);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const e = this.queue.shift()!;
        let route: EventRoute;
        try {
          const r = this.o.route(e);
          route = r instanceof Promise ? await r : r;
        } catch (err) {
          this.o.logger.warn({ err, seq: e.position.seq, type: e.type }, 'live: could not route an event; it reaches the rooms it names only');
          route = { rooms: [], everyProject: false };
        }
        this.dispatch(e, route);
      }
    } finally {
      this.draining = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private dispatch(e: RecordedEvent, route: EventRoute): void {
    const seq = e.position.seq;
    if (seq <= this.lastDispatched) return;
    this.lastDispatched = seq;
    for (const w of this.waiters) {
      if (w.seq > seq) continue;
      this.waiters.delete(w);
      w.resolve();
    }
    const rooms = this.targets(route);
    if (rooms.length === 0 && !route.everyProject) return;
    const msg: LiveEventMessage = { seq, event: toLiveEvent(e) };
    for (const h of this.handovers.values()) if (h.wants(rooms, route)) h.buffer.push(msg);
    if (rooms.length > 0) this.o.outlet.broadcast(rooms, this.excluded, msg);
  }

  private targets(route: EventRoute): LiveRoom[] {
    if (!route.everyProject) return route.rooms;
    return [...new Set([...route.rooms, ...this.o.outlet.projectRooms()])];
  }
}
