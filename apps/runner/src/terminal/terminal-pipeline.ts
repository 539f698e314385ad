import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { parseTerminalSize, type Names } from '@baton/events';
import type { PtyExit, PtyProcess } from '../pty/pty-process';
import { OutputCoalescer, type OutputCoalescerOptions, type TerminalChunk } from './output-coalescer';
import { TerminalPublisher, type TerminalPublisherOptions } from './terminal-publisher';
import { runnerScreenBacklog, screenPaused } from './screen-backlog';
import type { Screen } from './threaded-screen';

export interface TerminalPipelineOptions {
  broker: { nc: NatsConnection; js: JetStreamClient; names: Names };
  sessionId: string;
  /** This runner: its output goes out as `<ns>.term.<sessionId>.<runnerId>`, and keystrokes come to it addressed to it. */
  runnerId: string;
  pty: PtyProcess;
  /** Fed the same chunks (with their index), for snapshots to late viewers. */
  screen?: Pick<Screen, 'write' | 'resize'>;
  /** For a restarted or moved session: `firstIndex`/`baseOffsetMs` after its last stored chunk (`RunnerStart.terminal`). */
  coalescer?: Omit<OutputCoalescerOptions, 'onChunk'>;
  publisher?: Omit<TerminalPublisherOptions, 'onBackpressure'>;
  /** Keystrokes from `<ns>.input.<runnerId>.<sessionId>` (core NATS) are typed into the PTY. */
  acceptInput?: boolean;
  /** Sizes from `<ns>.resize.<runnerId>.<sessionId>` (core NATS, `{"cols":…,"rows":…}`) resize the PTY and the screen. */
  acceptResize?: boolean;
  /** Each chunk once it is handed to the publisher (a kept PTY marks it: pty/keeper-client.ts). */
  onChunk?: (chunk: TerminalChunk) => void;
}

export interface TerminalPipeline {
  coalescer: OutputCoalescer;
  publisher: TerminalPublisher;
  /** The program's exit, after its last output was published (or given up on). */
  finished: Promise<PtyExit>;
  /** Stops taking keystrokes; output keeps flowing until the program exits. */
  stopInput(): void;
}

/**
 * PTY → coalescer → screen and JetStream, keystrokes → PTY. The publisher's backlog and
 * the screen's unparsed bytes pause the PTY, so a broker or a parser that falls behind
 * slows the program instead of the runner buffering its output without bound.
 */
export function startTerminalPipeline(opts: TerminalPipelineOptions): TerminalPipeline {
  const { pty, screen } = opts;
  // Two reasons to stop reading the PTY: the broker's acks lag, or the screen's parser does.
  const paused = { broker: false, screen: false };
  let ptyPaused = false;
  const updatePause = () => {
    const pause = paused.broker || paused.screen;
    if (pause === ptyPaused) return;
    ptyPaused = pause;
    if (pause) pty.pause();
    else pty.resume();
  };
  const publisher = new TerminalPublisher(opts.broker, opts.sessionId, opts.runnerId, {
    ...opts.publisher,
    onBackpressure: (pause) => {
      paused.broker = pause;
      updatePause();
    },
  });
  let unparsed = 0;
  let exited = false;
  // The screen's backlog, this session's and the runner's (screen-backlog.ts), pauses the PTY.
  const screenPressure = () => {
    if (exited) return;
    const pause = screenPaused(paused.screen, unparsed, runnerScreenBacklog.bytes);
    if (pause === paused.screen) return;
    paused.screen = pause;
    updatePause();
  };
  const coalescer = new OutputCoalescer({
    ...opts.coalescer,
    onChunk: (chunk) => {
      // The screen first: it contains a chunk before any viewer can have received it.
      if (screen) {
        const bytes = chunk.data.byteLength;
        unparsed += bytes;
        runnerScreenBacklog.bytes += bytes;
        void screen.write(chunk.data, chunk.index).then(() => {
          unparsed -= bytes;
          runnerScreenBacklog.bytes -= bytes;
          screenPressure();
        });
        screenPressure();
      }
      publisher.publish(chunk);
      opts.onChunk?.(chunk);
    },
  });
  const unsubscribe = pty.onData((data) => {
    coalescer.push(data);
  });
  // A keystroke's answer (its echo) is cut after 2 ms, not a whole frame: the round trip stays short.
  const typed = { write: (data: Uint8Array) => (coalescer.expedite(), pty.write(data)) };
  const input = opts.acceptInput === false ? null : subscribeInput(opts.broker.nc, opts.broker.names.input(opts.runnerId, opts.sessionId), typed);
  const resize = opts.acceptResize === false ? null : subscribeResize(opts.broker.nc, opts.broker.names.resize(opts.runnerId, opts.sessionId), pty, screen);

  const finished = pty.exited.then(async (exit) => {
    input?.unsubscribe();
    resize?.unsubscribe();
    unsubscribe();
    coalescer.close();
    exited = true;
    paused.broker = paused.screen = false;
    updatePause();
    await publisher.drain();
    return exit;
  });
  return { coalescer, publisher, finished, stopInput: () => input?.unsubscribe() };
}

/** Raw keystroke bytes on core NATS (latency first, as DESIGN §3 says) go straight to the PTY. */
export function subscribeInput(nc: NatsConnection, subject: string, pty: Pick<PtyProcess, 'write'>): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (!err && msg.data.byteLength > 0) pty.write(msg.data);
    },
  });
}

/** A size the gateway sends when a viewer's terminal changes: the PTY (SIGWINCH) and the screen follow. */
export function subscribeResize(nc: NatsConnection, subject: string, pty: Pick<PtyProcess, 'resize'>, screen?: Pick<Screen, 'resize'>): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const size = parseTerminalSize(msg.data);
      if (!size) return;
      pty.resize(size.cols, size.rows);
      screen?.resize(size.cols, size.rows);
    },
  });
}
