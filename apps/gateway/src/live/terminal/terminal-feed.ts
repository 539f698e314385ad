import type { TerminalSnapshotMessage } from '@baton/contracts';
import type { Logger } from '@baton/event-store';
import { MirrorScreen } from './mirror-screen';
import type { ScreenSource } from './screen-source';
import { followFrames, type TerminalBroker, type TerminalFrame } from './terminal-frames';
import { TerminalViewer, type ViewerOutlet } from './terminal-viewer';

export interface TerminalFeedOptions {
  broker: TerminalBroker;
  source: ScreenSource;
  logger: Logger;
  window: number;
}

/**
 * One session's terminal in this gateway, shared by all its viewers here: ONE ordered
 * consumer on `<ns>.term.<sessionId>` feeding a mirror screen and every viewer. Chunks are
 * applied once each, in index order (a chunk at or below the last one is a redelivery).
 */
export class TerminalFeed {
  private mirror: MirrorScreen | null = null;
  private source: 'runner' | 'log' = 'log';
  private lastChunk = -1;
  private consumer: { stop(): void } | null = null;
  private readonly viewers = new Map<string, TerminalViewer>();
  private stopped = false;
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
    this.mirror?.resize(cols, rows);
  }

  stop(): void {
    this.stopped = true;
    this.consumer?.stop();
    this.consumer = null;
    this.mirror?.dispose();
    for (const v of this.viewers.values()) v.close();
    this.viewers.clear();
  }

  async snapshot(): Promise<TerminalSnapshotMessage> {
    await this.ready;
    const s = await this.mirror!.snapshot();
    return { sessionId: this.sessionId, cols: s.cols, rows: s.rows, data: s.data, chunk: s.chunk, alternateScreen: s.alternateScreen, source: this.source };
  }

  private async start(): Promise<void> {
    const initial = await this.o.source.initial(this.sessionId);
    if (this.stopped) return;
    const mirror = new MirrorScreen(initial.cols, initial.rows);
    this.mirror = mirror;
    this.source = initial.source;
    if (initial.source === 'runner') mirror.write(initial.data, initial.chunk);
    else for (const f of initial.frames) mirror.write(f.data, f.chunk);
    this.lastChunk = initial.chunk;
    const consumer = await followFrames(this.o.broker, this.sessionId, initial.afterSeq + 1, (f) => this.onFrame(f));
    if (this.stopped) consumer.stop();
    else this.consumer = consumer;
    this.o.logger.debug({ sessionId: this.sessionId, source: initial.source, chunk: initial.chunk }, 'live: terminal feed started');
  }

  private onFrame(frame: TerminalFrame): void {
    if (this.stopped || frame.chunk <= this.lastChunk) return;
    this.lastChunk = frame.chunk;
    this.mirror?.write(frame.data, frame.chunk);
    for (const v of this.viewers.values()) v.offer(frame);
  }
}
