import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { TerminalSnapshotMessage } from '@baton/contracts';
import { parseTerminalSize } from '@baton/events';
import type { Logger } from '@baton/event-store';
import { LiveError } from '../live-error';
import type { ScreenSource } from './screen-source';
import { TerminalFeed } from './terminal-feed';
import type { TerminalBroker } from './terminal-frames';
import type { ViewerOutlet } from './terminal-viewer';

export interface TerminalHubOptions {
  broker: TerminalBroker & { nc: NatsConnection };
  source: ScreenSource;
  logger: Logger;
  /** Flow-control window per viewer, in bytes. */
  window: number;
  /** The runner hosting the session now (keystrokes and sizes are addressed to it), or null. */
  runnerOf(sessionId: string): Promise<string | null>;
}

const encoder = new TextEncoder();

/**
 * The terminals this gateway shows: one feed per attached session, created by its first
 * viewer and stopped when its last one leaves. Keystrokes and resizes go on core NATS
 * (latency first) to the runner hosting the session, addressed to it (a runner may listen to
 * its own `<ns>.input.<runnerId>.*` only); every feed also listens to its session's resizes,
 * from any gateway, so its mirror keeps the PTY's size.
 */
export class TerminalHub {
  private readonly feeds = new Map<string, { feed: TerminalFeed; resizes: Subscription }>();
  private readonly bySocket = new Map<string, Set<string>>();

  constructor(private readonly o: TerminalHubOptions) {}

  get attachedSessions(): number {
    return this.feeds.size;
  }

  async attach(socketId: string, sessionId: string, out: ViewerOutlet): Promise<TerminalSnapshotMessage> {
    const entry = this.feeds.get(sessionId) ?? this.open(sessionId);
    let sessions = this.bySocket.get(socketId);
    if (!sessions) this.bySocket.set(socketId, (sessions = new Set()));
    sessions.add(sessionId);
    try {
      return await entry.feed.attach(socketId, out);
    } catch (err) {
      this.o.logger.warn({ sessionId, err }, 'live: terminal could not be attached');
      this.detach(socketId, sessionId);
      if (this.feeds.get(sessionId) === entry) this.close(sessionId);
      throw new LiveError('unavailable', `the terminal of session ${sessionId} is unavailable right now`);
    }
  }

  /** False when the socket was not attached to that session. */
  detach(socketId: string, sessionId: string): boolean {
    const sessions = this.bySocket.get(socketId);
    const had = sessions?.delete(sessionId) ?? false;
    if (sessions && sessions.size === 0) this.bySocket.delete(socketId);
    const entry = this.feeds.get(sessionId);
    if (entry && entry.feed.detach(socketId) === 0) this.close(sessionId);
    return had;
  }

  /** The sessions whose terminal the socket is attached to. */
  attachedTo(socketId: string): string[] {
    return [...(this.bySocket.get(socketId) ?? [])];
  }

  detachAll(socketId: string): void {
    for (const sessionId of [...(this.bySocket.get(socketId) ?? [])]) this.detach(socketId, sessionId);
  }

  ack(socketId: string, sessionId: string, bytes: number): boolean {
    const viewer = this.feeds.get(sessionId)?.feed.viewer(socketId);
    viewer?.ack(bytes);
    return viewer !== undefined;
  }

  /** Types into the session's PTY; false when no runner hosts it now (nothing to type into). */
  async input(sessionId: string, data: string): Promise<boolean> {
    const runnerId = await this.o.runnerOf(sessionId);
    if (runnerId) this.o.broker.nc.publish(this.o.broker.names.input(runnerId, sessionId), encoder.encode(data));
    return runnerId !== null;
  }

  async resize(sessionId: string, cols: number, rows: number): Promise<boolean> {
    const runnerId = await this.o.runnerOf(sessionId);
    if (runnerId) this.o.broker.nc.publish(this.o.broker.names.resize(runnerId, sessionId), encoder.encode(JSON.stringify({ cols, rows })));
    return runnerId !== null;
  }

  stop(): void {
    for (const sessionId of [...this.feeds.keys()]) this.close(sessionId);
    this.bySocket.clear();
  }

  private open(sessionId: string) {
    const feed = new TerminalFeed(sessionId, this.o);
    const resizes = this.o.broker.nc.subscribe(this.o.broker.names.resizeOfSession(sessionId), {
      callback: (err, msg) => {
        if (err) return;
        const size = parseTerminalSize(msg.data);
        if (size) feed.resize(size.cols, size.rows);
      },
    });
    const entry = { feed, resizes };
    this.feeds.set(sessionId, entry);
    return entry;
  }

  private close(sessionId: string): void {
    const entry = this.feeds.get(sessionId);
    if (!entry) return;
    this.feeds.delete(sessionId);
    entry.resizes.unsubscribe();
    entry.feed.stop();
  }
}
