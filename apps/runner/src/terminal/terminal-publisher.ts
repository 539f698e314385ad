import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { TERMINAL_CHUNK_HEADER, TERMINAL_OFFSET_HEADER, type Names } from '@baton/events';
import type { TerminalChunk } from './output-coalescer';


export interface TerminalPublisherOptions {
  /** Publishes awaiting their ack at once; past it the publisher asks for the PTY to pause. */
  maxInFlight?: number;
  /** Called with true when the PTY should pause (too much unacknowledged) and false to resume. */
  onBackpressure?(pause: boolean): void;
  /** A chunk that still fails after this many tries (about a minute with the defaults) is dropped and reported. */
  maxAttempts?: number;
  publishTimeoutMs?: number;
  onError?(error: unknown, chunk: TerminalChunk): void;
}

export interface TerminalPublisherStats {
  published: number;
  bytes: number;
  /** Acks JetStream marked duplicate (a retried chunk the server had already stored). */
  duplicates: number;
  retries: number;
  dropped: number;
}

/**
 * Writes a session's chunks to `<ns>.term.<sessionId>.<runnerId>` in `<NS>_TERMINAL`. Publishes are
 * pipelined on one connection, so they reach the stream in order; `Nats-Msg-Id =
 * <sessionId>:<chunk>` makes a retried chunk land once. In-flight publishes are bounded:
 * beyond the limit the PTY is paused, so a slow broker slows the program instead of
 * buffering its output in the runner's memory.
 */
export class TerminalPublisher {
  private readonly subject: string;
  private readonly maxInFlight: number;
  private readonly maxAttempts: number;
  private readonly timeout: number;
  private readonly queue: TerminalChunk[] = [];
  private inFlightCount = 0;
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  readonly stats: TerminalPublisherStats = { published: 0, bytes: 0, duplicates: 0, retries: 0, dropped: 0 };

  constructor(
    private readonly broker: { js: JetStreamClient; names: Names },
    readonly sessionId: string,
    readonly runnerId: string,
    private readonly opts: TerminalPublisherOptions = {},
  ) {
    this.subject = broker.names.term(sessionId, runnerId);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 64);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 10);
    this.timeout = opts.publishTimeoutMs ?? 5_000;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Chunks accepted but not acknowledged yet (queued or in flight). */
  get backlog(): number {
    return this.inFlightCount + this.queue.length;
  }

  /** Accepts a chunk; never blocks. Pausing the source is what bounds the backlog. */
  publish(chunk: TerminalChunk): void {
    this.queue.push(chunk);
    this.pump();
    this.updatePressure();
  }

  /** Resolves once every accepted chunk was acknowledged (or dropped after its last try). */
  drain(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlightCount < this.maxInFlight && this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.inFlightCount++;
      void this.send(chunk, 1);
    }
  }

  private async send(chunk: TerminalChunk, attempt: number): Promise<void> {
    const h = headers();
    h.set(TERMINAL_OFFSET_HEADER, String(chunk.offsetMs));
    h.set(TERMINAL_CHUNK_HEADER, String(chunk.index));
    try {
      const ack = await this.broker.js.publish(this.subject, chunk.data, {
        msgID: `${this.sessionId}:${chunk.index}`,
        headers: h,
        timeout: this.timeout,
      });
      if (ack.duplicate) this.stats.duplicates++;
      else {
        this.stats.published++;
        this.stats.bytes += chunk.data.byteLength;
      }
    } catch (e) {
      if (attempt < this.maxAttempts) {
        // The slot stays taken while we wait, so a broker outage keeps the PTY paused.
        this.stats.retries++;
        await sleep(Math.min(2_000, 50 * 2 ** (attempt - 1)));
        return this.send(chunk, attempt + 1);
      }
      this.stats.dropped++;
      this.opts.onError?.(e, chunk);
    }
    this.inFlightCount--;
    this.pump();
    this.updatePressure();
    if (this.backlog === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private updatePressure(): void {
    // Hysteresis: pause at the limit, resume at half, so the PTY does not flap per chunk.
    if (!this.paused && this.backlog >= this.maxInFlight) {
      this.paused = true;
      this.opts.onBackpressure?.(true);
    } else if (this.paused && this.backlog <= Math.floor(this.maxInFlight / 2)) {
      this.paused = false;
      this.opts.onBackpressure?.(false);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
