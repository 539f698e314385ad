import type { ResyncMessage, TerminalDataMessage, TerminalSnapshotMessage } from '@baton/contracts';
import type { TerminalFrame } from './terminal-frames';

export interface ViewerOutlet {
  data(msg: TerminalDataMessage): void;
  snapshot(msg: TerminalSnapshotMessage): void;
  resync(msg: ResyncMessage): void;
}

export interface TerminalViewerOptions {
  sessionId: string;
  /** Un-acknowledged bytes allowed before the viewer is paused. */
  window: number;
  out: ViewerOutlet;
  /** The screen as of the last chunk the mirror parsed. */
  snapshot(): Promise<TerminalSnapshotMessage>;
}

export type ViewerState = 'syncing' | 'live' | 'paused';

/**
 * One socket watching one terminal, with flow control: every `terminal:data` counts its
 * bytes until the client acks them. Past the window the viewer is paused: nothing more is
 * sent (the mirror keeps up for it). Once its acks bring it down to a quarter of the window
 * it is resynced: a fresh snapshot (in `resync`), then live chunks after it again. A slow
 * client thus costs at most one window of memory and never slows the program or the others.
 */
export class TerminalViewer {
  private stateValue: ViewerState = 'syncing';
  private pending: TerminalFrame[] = [];
  /** Last chunk the client has (through a snapshot or data). */
  private after = -1;
  private unacked = 0;
  private syncs = 0;
  private closed = false;

  constructor(private readonly o: TerminalViewerOptions) {}

  get state(): ViewerState {
    return this.stateValue;
  }

  get unackedBytes(): number {
    return this.unacked;
  }

  /** Detached: nothing more is sent, not even a snapshot still being made. */
  close(): void {
    this.closed = true;
  }

  /** A chunk the mirror just received. */
  offer(frame: TerminalFrame): void {
    if (this.closed) return;
    if (this.stateValue === 'syncing') this.pending.push(frame);
    else if (this.stateValue === 'live') this.send(frame);
    // paused: dropped; the resync snapshot will contain it
  }

  ack(bytes: number): void {
    if (this.closed) return;
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.stateValue === 'paused' && this.unacked <= this.o.window / 4) void this.sync('resync');
  }

  /** Sends the current screen, then whatever came in meanwhile after it. */
  async sync(kind: 'attach' | 'resync'): Promise<TerminalSnapshotMessage> {
    const mine = ++this.syncs;
    this.stateValue = 'syncing';
    this.pending = [];
    const snapshot = await this.o.snapshot();
    if (mine !== this.syncs || this.closed) return snapshot; // a newer sync took over, or it left
    if (kind === 'attach') this.o.out.snapshot(snapshot);
    else this.o.out.resync({ kind: 'terminal', sessionId: this.o.sessionId, reason: 'slow_consumer', snapshot });
    this.after = snapshot.chunk;
    this.stateValue = 'live';
    const waiting = this.pending;
    this.pending = [];
    for (const frame of waiting) {
      if (this.stateValue !== 'live') break;
      this.send(frame);
    }
    return snapshot;
  }

  private send(frame: TerminalFrame): void {
    if (frame.chunk <= this.after) return;
    this.after = frame.chunk;
    this.unacked += frame.data.byteLength;
    this.o.out.data({ sessionId: this.o.sessionId, chunk: frame.chunk, offsetMs: frame.offsetMs, data: frame.data });
    if (this.unacked > this.o.window) this.stateValue = 'paused';
  }
}
