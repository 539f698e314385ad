import type { TerminalSnapshotMessage } from '@baton/contracts';
import type { Logger } from '@baton/event-store';
import { MirrorScreen } from './mirror-screen';
import type { ScreenSource } from './screen-source';
import { followFrames, terminalStreamLastSeq, type TerminalBroker, type TerminalFrame } from './terminal-frames';
import { TerminalViewer, type ViewerOutlet } from './terminal-viewer';

export interface TerminalFeedOptions {
  broker: TerminalBroker;
  source: ScreenSource;
  logger: Logger;
  window: number;
}

/** After the runner could not give a screen, how long before it is asked again. */
const RUNNER_RETRY_MS = 2_000;
/** How long chunks of a runner not (yet) known to have hosted the session wait for its placement to be known. */
const HOST_WAIT_MS = 10_000;
/** A runner found not to have hosted the session: its chunks are dropped unasked for this long. */
const REFUSED_MS = 60_000;
/** Chunks held while a runner is checked; beyond it, chunks of unchecked runners are dropped. */
const MAX_HELD = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One session's terminal in this gateway, shared by all its viewers here: ONE ordered
 * consumer on `<ns>.term.<sessionId>.*` feeding every viewer. Chunks are passed on once each,
 * in index order (a chunk at or below the last one is a redelivery).
 *
 * Chunks are the session's only from runners it was placed on (issue #12: a runner's NATS
 * user may write `<ns>.term.*.<its id>` for any session id). A chunk from a runner not known
 * to have hosted it — usually a placement this gateway has not heard of yet — waits, with
 * everything after it, until the runner is confirmed or found a stranger (then dropped).
 *
 * Snapshots (a viewer attaching, a slow one resynced) come from the runner's screen, which
 * names the last chunk it contains: the runner feeds its screen a chunk before publishing
 * it, so everything this feed passed on before a snapshot was asked for is in it, and what
 * is newer reaches the viewer after it. While the runner serves screens the gateway parses
 * nothing. Only when it cannot (gone, done with the session) does the feed rebuild the
 * screen from the stored chunks into a mirror of its own and keep that up to date.
 */
export class TerminalFeed {
  private mirror: MirrorScreen | null = null;
  private building: Promise<MirrorScreen> | null = null;
  /** Bumped whenever the mirror is dropped: a rebuild still running then is discarded. */
  private generation = 0;
  /** Chunks that came while the mirror was being rebuilt from the log. */
  private held: TerminalFrame[] | null = null;
  private runnerFailedAt = -Infinity;
  private size: { cols: number; rows: number } | null = null;
  private lastChunk = -1;
  private consumer: { stop(): void } | null = null;
  private readonly viewers = new Map<string, TerminalViewer>();
  private stopped = false;
  /** Runners known to have hosted the session, and strangers' ids with when they may be asked about again. */
  private readonly hosts = new Set<string>();
  private readonly strangers = new Map<string, number>();
  /** Chunks waiting behind a runner being checked, in arrival order. */
  private waiting: TerminalFrame[] = [];
  private checking = false;
  readonly ready: Promise<void>;

  constructor(
    readonly sessionId: string,
    private readonly o: TerminalFeedOptions,
  ) {
    this.ready = this.start();
    this.ready.catch(() => undefined);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Whether the feed keeps a screen of its own (the runner could not give one). */
  get mirrored(): boolean {
    return this.mirror !== null || this.building !== null;
  }

  viewer(socketId: string): TerminalViewer | undefined {
    return this.viewers.get(socketId);
  }

  /** Adds (or re-syncs) a viewer; resolves with the snapshot it was sent. */
  async attach(socketId: string, out: ViewerOutlet): Promise<TerminalSnapshotMessage> {
    let viewer = this.viewers.get(socketId);
    if (!viewer) {
      viewer = new TerminalViewer({ sessionId: this.sessionId, window: this.o.window, out, snapshot: () => this.snapshot() });
      this.viewers.set(socketId, viewer);
    }
    await this.ready;
    return viewer.sync('attach');
  }

  /** Returns how many viewers are left. */
  detach(socketId: string): number {
    this.viewers.get(socketId)?.close();
    this.viewers.delete(socketId);
    return this.viewers.size;
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.mirror?.resize(cols, rows);
  }

  stop(): void {
    this.stopped = true;
    this.consumer?.stop();
    this.consumer = null;
    this.dropMirror();
    for (const v of this.viewers.values()) v.close();
    this.viewers.clear();
  }

  /** The screen as of the last chunk passed on (or later): the runner's, else the mirror's. */
  async snapshot(): Promise<TerminalSnapshotMessage> {
    await this.ready;
    if (!this.mirrored || performance.now() - this.runnerFailedAt >= RUNNER_RETRY_MS) {
      const screen = await this.o.source.fromRunner(this.sessionId);
      if (screen) {
        this.size = { cols: screen.cols, rows: screen.rows };
        // The runner is back: the mirror is not needed any more (a snapshot of it may still be under way).
        if (this.mirror) this.dropMirror(5_000);
        return { sessionId: this.sessionId, ...screen, source: 'runner' };
      }
      this.runnerFailedAt = performance.now();
    }
    const mirror = await this.rebuild();
    const s = await mirror.snapshot();
    return { sessionId: this.sessionId, cols: s.cols, rows: s.rows, data: s.data, chunk: s.chunk, alternateScreen: s.alternateScreen, source: 'log' };
  }

  private async start(): Promise<void> {
    // From the stream's present: any snapshot asked for later contains what came before.
    const fromSeq = (await terminalStreamLastSeq(this.o.broker)) + 1;
    if (this.stopped) return;
    const consumer = await followFrames(this.o.broker, this.sessionId, fromSeq, (f) => this.onFrame(f));
    if (this.stopped) consumer.stop();
    else this.consumer = consumer;
    this.o.logger.debug({ sessionId: this.sessionId }, 'live: terminal feed started');
  }

  /** The screen rebuilt from every stored chunk, then kept up to date with the live ones. */
  private rebuild(): Promise<MirrorScreen> {
    if (this.mirror) return Promise.resolve(this.mirror);
    if (this.building) return this.building;
    this.held = [];
    const generation = ++this.generation;
    const building = this.build(generation);
    this.building = building;
    building.catch(() => {
      if (this.generation === generation) {
        this.building = null;
        this.held = null;
      }
    });
    return building;
  }

  private async build(generation: number): Promise<MirrorScreen> {
    const stored = await this.o.source.fromLog(this.sessionId);
    const size = this.size ?? this.o.source.defaultSize;
    const mirror = new MirrorScreen(size.cols, size.rows);
    for (const f of stored.frames) mirror.write(f.data, f.chunk);
    let last = stored.chunk;
    for (const f of this.held ?? []) {
      if (f.chunk <= last) continue;
      mirror.write(f.data, f.chunk);
      last = f.chunk;
    }
    if (this.stopped || this.generation !== generation) {
      mirror.dispose();
      throw new Error('the terminal feed stopped');
    }
    this.held = null;
    this.mirror = mirror;
    this.building = null;
    return mirror;
  }

  private dropMirror(afterMs = 0): void {
    this.generation++;
    const mirror = this.mirror;
    if (mirror && afterMs > 0) setTimeout(() => mirror.dispose(), afterMs).unref();
    else mirror?.dispose();
    this.mirror = null;
    this.building = null;
    this.held = null;
  }

  private onFrame(frame: TerminalFrame): void {
    if (this.stopped) return;
    if (!this.waiting.length && this.hosts.has(frame.runnerId)) return this.pass(frame);
    if ((this.strangers.get(frame.runnerId) ?? 0) > performance.now()) return;
    if (this.waiting.length >= MAX_HELD && !this.hosts.has(frame.runnerId)) return;
    this.waiting.push(frame);
    void this.checkWaiting();
  }

  /** Passes on the waiting chunks whose runners are confirmed, and drops those of strangers. */
  private async checkWaiting(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      while (this.waiting.length && !this.stopped) {
        const runnerId = this.waiting[0].runnerId;
        if (!this.hosts.has(runnerId)) {
          if (await this.confirmHost(runnerId)) this.hosts.add(runnerId);
          else {
            this.strangers.set(runnerId, performance.now() + REFUSED_MS);
            const dropped = this.waiting.filter((f) => f.runnerId === runnerId).length;
            this.waiting = this.waiting.filter((f) => f.runnerId !== runnerId);
            this.o.logger.warn({ sessionId: this.sessionId, runnerId, dropped }, 'live: terminal output from a runner that never hosted the session dropped');
            continue;
          }
        }
        while (this.waiting.length && this.hosts.has(this.waiting[0].runnerId)) this.pass(this.waiting.shift()!);
      }
    } finally {
      this.checking = false;
    }
  }

  private async confirmHost(runnerId: string): Promise<boolean> {
    const deadline = performance.now() + HOST_WAIT_MS;
    for (;;) {
      if (await this.o.source.hosted(this.sessionId, runnerId).catch(() => false)) return true;
      if (this.stopped || performance.now() >= deadline) return false;
      await sleep(250);
    }
  }

  private pass(frame: TerminalFrame): void {
    if (frame.chunk <= this.lastChunk) return;
    this.lastChunk = frame.chunk;
    if (this.held) this.held.push(frame);
    else this.mirror?.write(frame.data, frame.chunk);
    for (const v of this.viewers.values()) v.offer(frame);
  }
}
