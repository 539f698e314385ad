import { safeText, type ClientToServerEvents, type LiveAck, type ServerToClientEvents, type TerminalDataMessage, type TerminalSnapshotMessage } from '@baton/contracts';
import { io, type Socket } from 'socket.io-client';
import { CliError } from '../api-client';
import { readTokenFile } from '../config';
import type { Ctx } from '../context';
import { SessionApi } from './session-api';
import { isFinal } from './session-views';

/** Ctrl-] (0x1d), as in telnet and `docker attach`: detaches, never reaches the session. */
export const DETACH_KEY = '\u001d';
const MAX_INPUT = 64 * 1024;
/** Acknowledge written output in steps this big (flow control: the gateway pauses a client that falls behind). */
const ACK_EVERY = 16 * 1024;

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TtyIn extends NodeJS.EventEmitter {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
  setEncoding?(enc: BufferEncoding): unknown;
  unref?(): unknown;
}
export interface TtyOut {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  write(data: string | Uint8Array): boolean;
  on?(event: 'resize', cb: () => void): unknown;
  off?(event: 'resize', cb: () => void): unknown;
}

export interface AttachIo {
  stdin: TtyIn;
  stdout: TtyOut;
  stderr: { write(s: string): unknown };
  connect(url: string, token: string | undefined): LiveSocket;
}

const processIo = (): AttachIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  // Inside a session the runner renews the token file: a reconnect hands over the token in force then (decision 0024).
  connect: (url, token) =>
    io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: (cb) => {
        const current = (process.env.BATON_TOKEN_FILE && readTokenFile(process.env.BATON_TOKEN_FILE)) || token;
        cb(current ? { token: current } : {});
      },
      reconnectionDelayMax: 5_000,
    }),
});

/** Splits typed bytes at the detach key: what goes to the session, and whether to detach after it. */
export function splitAtDetach(data: string): { send: string; detach: boolean } {
  const at = data.indexOf(DETACH_KEY);
  return at < 0 ? { send: data, detach: false } : { send: data.slice(0, at), detach: true };
}

/** Keystrokes in pieces the socket accepts. */
export function chunkInput(data: string, max = MAX_INPUT): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i += max) out.push(data.slice(i, i + max));
  return out;
}

const size = (out: TtyOut) => ({ cols: Math.min(1_000, Math.max(2, out.columns || 80)), rows: Math.min(500, Math.max(1, out.rows || 24)) });

/**
 * `baton session attach`: this terminal becomes the session's. Raw stdin goes in as
 * `terminal:input`, `terminal:snapshot` / `terminal:data` come out on stdout, window size
 * changes become `terminal:resize`; Ctrl-] detaches. It ends when the session does, on
 * detach, or when the gateway refuses (exit 1).
 */
export async function attachTerminal(ctx: Ctx, sessionId: string, opts: { readOnly: boolean }, ioDeps: AttachIo = processIo()): Promise<void> {
  const { apiUrl, token } = ctx.connection();
  const { stdin, stdout, stderr } = ioDeps;
  // A session that does not exist is a clear 404 here; one that ended shows its last screen and returns.
  const view = await new SessionApi(ctx.api()).get(sessionId);
  const ended = isFinal(view.status);
  const socket = ioDeps.connect(apiUrl, token);
  const raw = Boolean(stdin.isTTY && stdin.setRawMode);
  let unacked = 0;
  let attached = false;

  // Messages quote the gateway and the agent (an ended reason): one line, no control in it.
  const say = (text: string) => stderr.write(`\r\n[baton] ${safeText(text)}\r\n`);

  return new Promise<void>((resolve, reject) => {
    let done = false;
    let endSaid = false;
    // The end normally arrives as a live event; a reconnect can miss it, so the session is also asked now and then.
    const watch = setInterval(() => {
      if (!attached || done) return;
      new SessionApi(ctx.api())
        .get(sessionId)
        .then((s) => isFinal(s.status) && sessionEnded(s.status, s.endedReason ?? ''))
        .catch(() => undefined);
    }, 3_000);
    watch.unref?.();
    const sessionEnded = (status: string, reason: string) => {
      if (endSaid) return;
      endSaid = true;
      say(`session ${sessionId} ended: ${status}${reason ? ` (${reason})` : ''}`);
      // Let the last output arrive before letting go.
      setTimeout(() => finish(), 300);
    };
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearInterval(watch);
      stdin.off('data', onInput);
      stdout.off?.('resize', onResize);
      if (raw) stdin.setRawMode!(false);
      stdin.pause();
      // A paused pipe still holds the event loop: let go of it so the process can end.
      stdin.unref?.();
      if (attached && socket.connected) socket.emit('terminal:detach', { sessionId });
      socket.disconnect();
      if (err) reject(err);
      else resolve();
    };

    // Keys typed before the gateway confirmed the attach (a fast typist, a script) are kept
    // and sent once it has, instead of being lost.
    let early = '';
    const sendInput = (data: string) => {
      for (const piece of chunkInput(data)) socket.emit('terminal:input', { sessionId, data: piece });
    };
    const onInput = (chunk: Buffer | string) => {
      const { send, detach } = splitAtDetach(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (send && !opts.readOnly) {
        if (attached) sendInput(send);
        else early = (early + send).slice(-MAX_INPUT);
      }
      if (detach) {
        say(`detached from session ${sessionId}`);
        finish();
      }
    };
    const onResize = () => {
      if (!opts.readOnly && attached) socket.emit('terminal:resize', { sessionId, ...size(stdout) });
    };
    const write = (data: string | Uint8Array | ArrayBuffer) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      stdout.write(bytes);
      unacked += bytes.byteLength;
      if (unacked >= ACK_EVERY) {
        socket.emit('terminal:ack', { sessionId, bytes: unacked });
        unacked = 0;
      }
    };
    const redraw = (snap: TerminalSnapshotMessage) => {
      stdout.write('\u001bc');
      stdout.write(snap.data);
    };

    socket.on('connect', () => {
      socket.emit('subscribe', { rooms: [`session:${sessionId}`] });
      socket.emit('terminal:attach', { sessionId, ...size(stdout) }, (ack: LiveAck<{ sessionId: string; chunk: number }>) => {
        if (!ack.ok) {
          say(`cannot attach to session ${sessionId}: ${ack.error.message}`);
          return finish(new CliError(`cannot attach to session ${sessionId}: ${ack.error.message}`, ack.error.code === 'validation' ? 2 : 1));
        }
        const first = !attached;
        attached = true;
        if (first) {
          say(`attached to session ${sessionId}${opts.readOnly ? ' (read-only)' : ''}; Ctrl-] detaches`);
          onResize();
          if (early) sendInput(early);
          early = '';
        }
      });
    });
    socket.on('connect_error', (e: Error) => {
      // socket.io retries by itself; a refused token will not get better.
      if (/unauthorized|forbidden|401|403/i.test(e.message)) finish(new CliError(`the gateway refused the connection: ${e.message}`, 1));
      else if (!attached) say(`cannot reach ${apiUrl}: ${e.message}; retrying`);
    });
    socket.on('disconnect', (reason) => {
      if (!done && reason !== 'io client disconnect') say(`connection lost (${reason}); reconnecting`);
    });
    socket.on('terminal:snapshot', (snap) => {
      if (snap.sessionId !== sessionId) return;
      redraw(snap);
      if (ended) {
        say(`session ${sessionId} already ended (${view.status}): that was its last screen`);
        finish();
      }
    });
    socket.on('terminal:data', (msg: TerminalDataMessage) => msg.sessionId === sessionId && write(msg.data));
    socket.on('resync', (msg) => {
      if (msg.kind === 'terminal' && msg.sessionId === sessionId) redraw(msg.snapshot);
    });
    socket.on('error', (err) => {
      say(`${err.on ? `${err.on}: ` : ''}${err.message}`);
      if (err.on === 'terminal:attach' && !attached) finish(new CliError(`cannot attach to session ${sessionId}: ${err.message}`, 1));
    });
    socket.on('event', ({ event }) => {
      if (event.aggregate.id !== sessionId || event.type !== 'session.ended') return;
      const data = event.data as { status?: string; reason?: string };
      sessionEnded(data.status ?? 'ended', data.reason ?? '');
    });

    if (raw) stdin.setRawMode!(true);
    stdin.setEncoding?.('utf8');
    stdin.on('data', onInput);
    stdin.resume();
    stdout.on?.('resize', onResize);
  });
}
