import type { RecordedEvent } from '@baton/events';
import type { LiveEventMessage, LiveRoom, ResyncMessage } from '@baton/contracts';
import { silentLogger } from '@baton/event-store';
import { EventFanout, type LiveOutlet, type LogSource } from './event-fanout';
import { routeOf } from './event-routing';

/** A project event at stream sequence `seq`. */
const evt = (seq: number, projectId: string): RecordedEvent => ({
  id: `e${seq}`,
  type: 'project.renamed',
  version: 1,
  aggregate: { type: 'project', id: projectId },
  occurredAt: new Date(0).toISOString(),
  actor: { kind: 'user', id: 'u' },
  correlationId: 'c',
  causationId: 'c',
  data: { name: `n${seq}`, previousName: 'x' },
  position: { seq },
});

/** The log: appended events go to the follower; `read` can be held open to let live events pass meanwhile. */
class FakeLog implements LogSource {
  readonly events: RecordedEvent[] = [];
  private listener: ((e: RecordedEvent) => void) | null = null;
  /** While set, `read` yields this many events, then waits for `release()`. */
  pauseAfter: number | null = null;
  private resume: (() => void) | null = null;
  private paused: (() => void) | null = null;

  append(projectId: string): RecordedEvent {
    const e = evt(this.events.length + 1, projectId);
    this.events.push(e);
    this.listener?.(e);
    return e;
  }
  async lastSeq() {
    return this.events.length;
  }
  async follow(fromSeq: number, onEvent: (e: RecordedEvent) => void) {
    this.listener = onEvent;
    for (const e of this.events.filter((x) => x.position.seq >= fromSeq)) onEvent(e);
    return { stop: () => (this.listener = null) };
  }
  async *read({ fromSeq, toSeq }: { fromSeq: number; toSeq: number }) {
    let n = 0;
    for (const e of this.events.filter((x) => x.position.seq >= fromSeq && x.position.seq <= toSeq)) {
      if (this.pauseAfter !== null && n === this.pauseAfter) {
        await new Promise<void>((r) => {
          this.resume = r;
          this.paused?.();
        });
      }
      n++;
      yield e;
    }
  }
  /** Resolves once a `read` is held at `pauseAfter`. */
  whenPaused(): Promise<void> {
    return new Promise((r) => (this.paused = r));
  }
  release(): void {
    this.pauseAfter = null;
    this.resume?.();
  }
}

/** Sockets as sets of rooms, each with the event sequences it received. */
class FakeSockets implements LiveOutlet {
  readonly rooms = new Map<string, Set<LiveRoom>>();
  readonly received = new Map<string, number[]>();
  readonly resyncs: ResyncMessage[] = [];
  connect(id: string) {
    this.rooms.set(id, new Set());
    this.received.set(id, []);
  }
  broadcast(rooms: LiveRoom[], except: ReadonlySet<string>, msg: LiveEventMessage) {
    for (const [id, joined] of this.rooms) if (!except.has(id) && rooms.some((r) => joined.has(r))) this.send(id, msg);
  }
  send(id: string, msg: LiveEventMessage) {
    this.received.get(id)?.push(msg.seq);
  }
  resync(_id: string, msg: ResyncMessage) {
    this.resyncs.push(msg);
  }
  join(id: string, rooms: LiveRoom[]) {
    for (const r of rooms) this.rooms.get(id)!.add(r);
  }
  roomsOf(id: string) {
    return [...(this.rooms.get(id) ?? [])];
  }
  projectRooms() {
    return [...new Set([...this.rooms.values()].flatMap((s) => [...s]))].filter((r) => r.startsWith('project:'));
  }
}

describe(EventFanout.name, () => {
  let log: FakeLog;
  let sockets: FakeSockets;
  let sut: EventFanout;
  const seqsOf = (projectId: string, after = 0) => log.events.filter((e) => e.aggregate.id === projectId && e.position.seq > after).map((e) => e.position.seq);

  beforeEach(async () => {
    log = new FakeLog();
    sockets = new FakeSockets();
    for (let i = 0; i < 5; i++) log.append(i % 2 ? 'a' : 'b');
    sut = new EventFanout({ source: log, outlet: sockets, route: (e) => routeOf(e, e.aggregate.id), learn: () => undefined, resumeMax: 1_000, logger: silentLogger });
    await sut.start();
  });

  it('follows from now and sends each event once to the sockets in its rooms', async () => {
    sockets.connect('s1');
    await sut.subscribe('s1', ['project:a', 'project:a']);
    log.append('a');
    log.append('b');
    log.append('a');
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual([6, 8]);
  });

  it('replays what a resuming socket missed, then goes live, without a gap or a duplicate', async () => {
    sockets.connect('s1');
    const seq = await sut.subscribe('s1', ['project:a'], 1);
    log.append('a');
    await sut.settled();
    expect(seq).toBe(5);
    expect(sockets.received.get('s1')).toEqual(seqsOf('a', 1));
  });

  it('hands over without gap or duplicate while live events pass during the replay', async () => {
    sockets.connect('s1');
    log.pauseAfter = 2;
    const held = log.whenPaused();
    const subscribing = sut.subscribe('s1', ['project:a'], 0);
    await held;
    // Live events dispatched while the replay is held: buffered for s1, not broadcast to it.
    for (let i = 0; i < 6; i++) log.append(i % 3 ? 'a' : 'b');
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual([seqsOf('a')[0]]);
    log.release();
    await subscribing;
    log.append('a');
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual(seqsOf('a'));
  });

  it('de-duplicates a resume point that is ahead of this gateway', async () => {
    let slow: (() => void) | null = null;
    sut = new EventFanout({
      source: log,
      outlet: sockets,
      route: (e) => (e.position.seq === 6 ? new Promise((r) => (slow = () => r(routeOf(e, 'a')))) : routeOf(e, e.aggregate.id)),
      learn: () => undefined,
      resumeMax: 1_000,
      logger: silentLogger,
    });
    await sut.start();
    log.append('a');
    log.append('a');
    // The client saw up to 7 through another gateway; this one is still routing 6.
    sockets.connect('s1');
    const subscribing = sut.subscribe('s1', ['project:a'], 7);
    await new Promise((r) => setTimeout(r, 5));
    slow!();
    await subscribing;
    log.append('a');
    log.append('b');
    log.append('a');
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual([8, 10]);
  });

  it('keeps the events of the rooms a socket already had in order while it adds a room with a resume', async () => {
    sockets.connect('s1');
    await sut.subscribe('s1', ['project:b']);
    log.pauseAfter = 0;
    const held = log.whenPaused();
    const subscribing = sut.subscribe('s1', ['project:a'], 0);
    await held;
    log.append('b');
    log.append('a');
    await sut.settled();
    log.release();
    await subscribing;
    const got = sockets.received.get('s1')!;
    expect(got).toEqual([...seqsOf('a').filter((s) => s <= 5), 6, 7]);
    expect(new Set(got).size).toBe(got.length);
  });

  it('sends resync instead of a replay that would be too long', async () => {
    sut = new EventFanout({ source: log, outlet: sockets, route: (e) => routeOf(e, e.aggregate.id), learn: () => undefined, resumeMax: 2, logger: silentLogger });
    await sut.start();
    sockets.connect('s1');
    await sut.subscribe('s1', ['project:a'], 1);
    expect(sockets.resyncs).toEqual([{ kind: 'events', reason: 'too_far_behind', rooms: ['project:a'], seq: 5 }]);
    expect(sockets.received.get('s1')).toEqual([]);
    log.append('a');
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual([6]);
  });

  it('keeps the log order when routing an event needs a lookup', async () => {
    let slow: (() => void) | null = null;
    sut = new EventFanout({
      source: log,
      outlet: sockets,
      route: (e) => (e.position.seq === 6 ? new Promise((r) => (slow = () => r(routeOf(e, 'a')))) : routeOf(e, e.aggregate.id)),
      learn: () => undefined,
      resumeMax: 1_000,
      logger: silentLogger,
    });
    await sut.start();
    sockets.connect('s1');
    await sut.subscribe('s1', ['project:a']);
    log.append('a');
    log.append('a');
    await new Promise((r) => setTimeout(r, 5));
    expect(sockets.received.get('s1')).toEqual([]);
    slow!();
    await sut.settled();
    expect(sockets.received.get('s1')).toEqual([6, 7]);
  });
});
