import type { LiveEventMessage, LiveRoom } from '@baton/contracts';

/**
 * Where this client is in the event log. The gateway numbers every event with its stream
 * sequence, strictly increasing per socket; the cursor keeps the highest one seen so a
 * reconnect resumes right after it (`sinceSeq`) and drops anything at or below it: the same
 * event can then never be applied twice, and none is skipped.
 */
export class LiveCursor {
  private seq = 0;
  private known = false;

  /** The last sequence seen, or undefined before the first subscription answered. */
  get resumeFrom(): number | undefined {
    return this.known ? this.seq : undefined;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** An event arrived: true when it is new (apply it), false for a duplicate. */
  accept(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq <= this.seq) return false;
    this.seq = seq;
    this.known = true;
    return true;
  }

  /** A subscription answered: everything up to `seq` has been delivered (or was before our time). */
  caughtUp(seq: number): void {
    if (Number.isSafeInteger(seq) && seq > this.seq) this.seq = seq;
    this.known = true;
  }
}

/** Rooms wanted by the screens of this tab, counted, so one leaves only when its last user does. */
export class RoomSet {
  private readonly counts = new Map<LiveRoom, number>();

  /** Returns the rooms that became wanted (to subscribe). */
  add(rooms: readonly LiveRoom[]): LiveRoom[] {
    const fresh: LiveRoom[] = [];
    for (const r of new Set(rooms)) {
      const n = this.counts.get(r) ?? 0;
      this.counts.set(r, n + 1);
      if (n === 0) fresh.push(r);
    }
    return fresh;
  }

  /** Returns the rooms nobody wants any more (to unsubscribe). */
  remove(rooms: readonly LiveRoom[]): LiveRoom[] {
    const gone: LiveRoom[] = [];
    for (const r of new Set(rooms)) {
      const n = this.counts.get(r) ?? 0;
      if (n <= 1) {
        if (n === 1) gone.push(r);
        this.counts.delete(r);
      } else this.counts.set(r, n - 1);
    }
    return gone;
  }

  has(room: LiveRoom): boolean {
    return this.counts.has(room);
  }

  get all(): LiveRoom[] {
    return [...this.counts.keys()];
  }
}

/**
 * A screen's data fed by a snapshot then deltas. Events that arrive before the snapshot are
 * kept and applied on top of it (the snapshot was read at `minSeq` = the subscription's
 * sequence, so only later ones matter); afterwards each event is applied as it comes.
 */
export class SnapshotFeed<S> {
  private pending: LiveEventMessage[] = [];
  private snapshotSeq: number | null = null;
  data: S | null = null;

  constructor(private readonly apply: (state: S, msg: LiveEventMessage) => S) {}

  /** An event: applied now, or kept until the snapshot is in. Returns whether `data` changed. */
  event(msg: LiveEventMessage): boolean {
    if (this.data === null || this.snapshotSeq === null) {
      this.pending.push(msg);
      return false;
    }
    if (msg.seq <= this.snapshotSeq) return false;
    const next = this.apply(this.data, msg);
    const changed = next !== this.data;
    this.data = next;
    return changed;
  }

  /** The snapshot, read as of at least `seq`: kept events after it are applied on top. */
  snapshot(data: S, seq: number): void {
    let state = data;
    for (const msg of this.pending) if (msg.seq > seq) state = this.apply(state, msg);
    this.pending = [];
    this.data = state;
    this.snapshotSeq = seq;
  }

  /** Start over (a resync): events are kept again until the next snapshot. */
  reset(): void {
    this.snapshotSeq = null;
  }
}
