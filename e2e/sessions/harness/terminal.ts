import type { ClientToServerEvents, LiveAck, ServerToClientEvents, TerminalDataMessage, TerminalSnapshotMessage } from '@baton/contracts';
import { io, type Socket } from 'socket.io-client';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const text = (d: Uint8Array | ArrayBuffer | string) => (typeof d === 'string' ? d : Buffer.from(d instanceof ArrayBuffer ? new Uint8Array(d) : d).toString('utf8'));

/**
 * A browser's view of one session's terminal over socket.io (`terminal:attach`, then
 * `terminal:snapshot` and `terminal:data`; `terminal:input` types). Everything seen is kept
 * as text so a test can wait for what the program printed.
 */
export class TerminalClient {
  private seen = '';
  private waiters: (() => void)[] = [];
  readonly errors: unknown[] = [];

  private constructor(
    readonly socket: LiveSocket,
    readonly sessionId: string,
  ) {}

  static async attach(url: string, token: string, sessionId: string, size = { cols: 120, rows: 40 }): Promise<TerminalClient> {
    const socket: LiveSocket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    const client = new TerminalClient(socket, sessionId);
    socket.on('terminal:snapshot', (m: TerminalSnapshotMessage) => m.sessionId === sessionId && client.append(m.data));
    socket.on('terminal:data', (m: TerminalDataMessage) => {
      if (m.sessionId !== sessionId) return;
      const s = text(m.data);
      client.append(s);
      socket.emit('terminal:ack', { sessionId, bytes: Buffer.byteLength(s) });
    });
    socket.on('resync', (m) => m.kind === 'terminal' && m.sessionId === sessionId && client.append(m.snapshot.data));
    socket.on('error', (e) => client.errors.push(e));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`socket.io did not connect to ${url}`)), 10_000);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
      socket.once('connect_error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    const ack = await new Promise<LiveAck<{ sessionId: string; chunk: number }>>((resolve) => socket.emit('terminal:attach', { sessionId, ...size }, resolve));
    if (!ack.ok) {
      socket.disconnect();
      throw new Error(`terminal:attach refused: ${JSON.stringify(ack.error)}`);
    }
    return client;
  }

  private append(s: string): void {
    this.seen += s;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Everything shown so far (snapshot text and data), escape sequences included. */
  get output(): string {
    return this.seen;
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const hit = () => (typeof pattern === 'string' ? this.seen.includes(pattern) : pattern.test(this.seen));
    while (!hit()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`terminal of ${this.sessionId} never showed ${String(pattern)}; it showed:\n${this.seen.slice(-3_000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Keystrokes, as a browser sends them; resolves with the gateway's ack. */
  type(data: string): Promise<LiveAck> {
    return new Promise((resolve) => this.socket.emit('terminal:input', { sessionId: this.sessionId, data }, resolve));
  }

  close(): void {
    this.socket.disconnect();
  }
}
