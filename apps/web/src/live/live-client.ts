import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveErrorMessage,
  LiveEventMessage,
  LiveRoom,
  ResyncMessage,
  ServerToClientEvents,
  SubscribeAck,
  TerminalDataMessage,
  TerminalSnapshotMessage,
} from '@baton/contracts';
import { LiveCursor, RoomSet } from './live-cursor';

export type LiveStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'refused';

export interface LiveState {
  status: LiveStatus;
  /** The last event sequence this tab has seen. */
  lastSeq: number;
  /** Why it is not connected (the gateway's word, or the transport's). */
  error: string | null;
  /** Reconnection attempts since the last success. */
  attempt: number;
  /** How many times the socket came back after losing the gateway. */
  reconnects: number;
  rooms: LiveRoom[];
}

export interface EventWatcher {
  event(msg: LiveEventMessage): void;
  /** The gateway could not replay what was missed: reload by REST. */
  resync(): void;
}

export interface TerminalSink {
  snapshot(msg: TerminalSnapshotMessage): void;
  data(msg: TerminalDataMessage): void;
  error?(message: string): void;
}

export interface TerminalHandle {
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** Bytes written to the screen (flow control); sent in batches. */
  ack(bytes: number): void;
  detach(): void;
}

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SocketFactory = (auth: (cb: (data: object) => void) => void) => LiveSocket;

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const ACK_BYTES = 64 * 1024;
const ACK_DELAY_MS = 40;

/** 0.5 s, 1 s, 2 s … 10 s, each ±25 %: reconnecting tabs do not stampede a gateway that came back. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

interface TerminalEntry {
  sinks: Set<TerminalSink>;
  cols: number;
  rows: number;
  unacked: number;
  ackTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * The tab's one socket to the gateway (libs/contracts/src/socket.ts). It authenticates with
 * the signed-in token, reconnects with backoff, and on every (re)connect subscribes the rooms
 * its screens want with `sinceSeq` = the last event it saw, so nothing is missed and nothing
 * is applied twice (LiveCursor). Terminals are re-attached after a reconnect and start from
 * a fresh snapshot.
 */
export class LiveClient {
  private socket: LiveSocket | null = null;
  private readonly cursor = new LiveCursor();
  private readonly rooms = new RoomSet();
  private readonly watchers = new Set<EventWatcher>();
  private readonly terminals = new Map<string, TerminalEntry>();
  private readonly listeners = new Set<() => void>();
  private readonly joinWaiters = new Set<{ rooms: LiveRoom[]; resolve: (seq: number) => void }>();
  private retry: ReturnType<typeof setTimeout> | null = null;
  private everConnected = false;
  private state: LiveState = { status: 'idle', lastSeq: 0, error: null, attempt: 0, reconnects: 0, rooms: [] };
  /** Rooms the gateway has confirmed for the current connection. */
  private joined = new Set<LiveRoom>();

  constructor(
    private readonly token: () => string | null,
    private readonly factory: SocketFactory = (auth) => io({ path: '/socket.io', auth, reconnection: false, transports: ['websocket', 'polling'], timeout: 8_000 }) as LiveSocket,
  ) {}

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): LiveState => this.state;

  get connected(): boolean {
    return this.state.status === 'connected';
  }

  connect(): void {
    if (this.socket) return;
    this.set({ status: this.everConnected ? 'reconnecting' : 'connecting' });
    const socket = this.factory((cb) => cb({ token: this.token() ?? '' }));
    this.socket = socket;
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason) => this.onDisconnect(String(reason)));
    socket.on('connect_error', (err: Error & { data?: LiveErrorMessage }) => this.onConnectError(err));
    socket.on('event', (msg) => this.onEvent(msg));
    socket.on('resync', (msg) => this.onResync(msg));
    socket.on('terminal:snapshot', (msg) => this.terminals.get(msg.sessionId)?.sinks.forEach((s) => s.snapshot(msg)));
    socket.on('terminal:data', (msg) => this.terminals.get(msg.sessionId)?.sinks.forEach((s) => s.data(msg)));
    socket.on('error', (msg) => {
      // Errors of messages with an ack are handled there; these are the others.
      if (msg?.code === 'unauthorized') this.set({ error: msg.message });
    });
  }

  disconnect(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const s = this.socket;
    this.socket = null;
    s?.removeAllListeners();
    s?.disconnect();
    this.joined.clear();
    this.set({ status: 'idle' });
  }

  /**
   * Follows events of `rooms` for as long as the returned `stop` is not called. `joined`
   * resolves with the sequence the subscription starts after (read a snapshot at that minSeq).
   */
  watch(rooms: LiveRoom[], watcher: EventWatcher): { joined: Promise<number>; stop: () => void } {
    this.watchers.add(watcher);
    const fresh = this.rooms.add(rooms);
    const joined = new Promise<number>((resolve) => {
      if (rooms.every((r) => this.joined.has(r))) resolve(this.cursor.lastSeq);
      else this.joinWaiters.add({ rooms, resolve });
    });
    if (fresh.length && this.connected) this.join(fresh);
    this.set({ rooms: this.rooms.all });
    let stopped = false;
    return {
      joined,
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.watchers.delete(watcher);
        const gone = this.rooms.remove(rooms);
        if (gone.length) {
          gone.forEach((r) => this.joined.delete(r));
          if (this.connected) this.socket?.emit('unsubscribe', { rooms: gone });
        }
        this.set({ rooms: this.rooms.all });
      },
    };
  }

  attachTerminal(sessionId: string, size: { cols: number; rows: number }, sink: TerminalSink): TerminalHandle {
    let entry = this.terminals.get(sessionId);
    if (!entry) {
      entry = { sinks: new Set(), cols: size.cols, rows: size.rows, unacked: 0, ackTimer: null };
      this.terminals.set(sessionId, entry);
    }
    entry.sinks.add(sink);
    // A second viewer of the same session in this tab needs the screen too: attaching again re-syncs.
    if (this.connected) this.attach(sessionId, entry);
    const flushAck = () => {
      const e = this.terminals.get(sessionId);
      if (!e) return;
      if (e.ackTimer) clearTimeout(e.ackTimer);
      e.ackTimer = null;
      if (e.unacked > 0 && this.connected) this.socket?.emit('terminal:ack', { sessionId, bytes: e.unacked });
      e.unacked = 0;
    };
    let detached = false;
    return {
      input: (data) => {
        if (!this.connected || detached) return;
        this.socket?.emit('terminal:input', { sessionId, data }, (r) => {
          if (!r.ok) sink.error?.(r.error.message);
        });
      },
      resize: (cols, rows) => {
        const e = this.terminals.get(sessionId);
        if (!e || detached || (e.cols === cols && e.rows === rows)) return;
        e.cols = cols;
        e.rows = rows;
        if (this.connected) this.socket?.emit('terminal:resize', { sessionId, cols, rows });
      },
      ack: (bytes) => {
        const e = this.terminals.get(sessionId);
        if (!e || detached) return;
        e.unacked += bytes;
        if (e.unacked >= ACK_BYTES) flushAck();
        else if (!e.ackTimer) e.ackTimer = setTimeout(flushAck, ACK_DELAY_MS);
      },
      detach: () => {
        if (detached) return;
        detached = true;
        const e = this.terminals.get(sessionId);
        if (!e) return;
        e.sinks.delete(sink);
        if (e.sinks.size === 0) {
          if (e.ackTimer) clearTimeout(e.ackTimer);
          this.terminals.delete(sessionId);
          if (this.connected) this.socket?.emit('terminal:detach', { sessionId });
        }
      },
    };
  }

  private attach(sessionId: string, entry: TerminalEntry): void {
    entry.unacked = 0;
    this.socket?.emit('terminal:attach', { sessionId, cols: entry.cols, rows: entry.rows }, (r) => {
      if (!r.ok) entry.sinks.forEach((s) => s.error?.(r.error.message));
    });
  }

  private join(rooms: LiveRoom[]): void {
    const socket = this.socket;
    if (!socket) return;
    const sinceSeq = this.cursor.resumeFrom;
    const msg = sinceSeq === undefined ? { rooms } : { rooms, sinceSeq };
    socket.emit('subscribe', msg, (r: SubscribeAck) => {
      if (socket !== this.socket) return;
      if (!r.ok) {
        this.set({ error: `could not follow ${rooms.join(', ')}: ${r.error.message}` });
        return;
      }
      this.cursor.caughtUp(r.seq);
      r.rooms.forEach((room) => this.joined.add(room));
      for (const w of [...this.joinWaiters]) {
        if (w.rooms.every((room) => this.joined.has(room))) {
          this.joinWaiters.delete(w);
          w.resolve(this.cursor.lastSeq);
        }
      }
      this.set({ lastSeq: this.cursor.lastSeq });
    });
  }

  private onConnect(): void {
    const wasBack = this.everConnected;
    this.everConnected = true;
    this.joined.clear();
    this.set({ status: 'connected', error: null, attempt: 0, reconnects: this.state.reconnects + (wasBack ? 1 : 0) });
    const rooms = this.rooms.all;
    if (rooms.length) this.join(rooms);
    for (const [sessionId, entry] of this.terminals) this.attach(sessionId, entry);
  }

  private onDisconnect(reason: string): void {
    this.joined.clear();
    if (!this.socket) return; // we closed it
    // The server closed it (a revoked token) or the network went: try again, with backoff.
    this.socket.removeAllListeners();
    this.socket = null;
    this.scheduleRetry(reason === 'io server disconnect' ? 'the gateway closed the connection' : 'connection lost');
  }

  private onConnectError(err: Error & { data?: LiveErrorMessage }): void {
    const s = this.socket;
    this.socket = null;
    s?.removeAllListeners();
    s?.disconnect();
    if (err.data?.code === 'unauthorized') {
      this.set({ status: 'refused', error: err.data.message });
      return;
    }
    this.scheduleRetry(err.data?.message ?? err.message ?? 'cannot reach the gateway');
  }

  private scheduleRetry(why: string): void {
    if (this.retry) return;
    const attempt = this.state.attempt + 1;
    this.set({ status: 'reconnecting', error: why, attempt });
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, backoffMs(attempt));
  }

  private onEvent(msg: LiveEventMessage): void {
    if (!this.cursor.accept(msg.seq)) return; // already seen: a duplicate never reaches a screen
    for (const w of [...this.watchers]) w.event(msg);
    this.bumpSeq();
  }

  private onResync(msg: ResyncMessage): void {
    if (msg.kind === 'terminal') {
      this.terminals.get(msg.sessionId)?.sinks.forEach((s) => s.snapshot(msg.snapshot));
      return;
    }
    this.cursor.caughtUp(msg.seq);
    for (const w of [...this.watchers]) w.resync();
    this.bumpSeq();
  }

  // The seq shown in the top bar need not re-render on every event.
  private seqTimer: ReturnType<typeof setTimeout> | null = null;
  private bumpSeq(): void {
    if (this.seqTimer) return;
    this.seqTimer = setTimeout(() => {
      this.seqTimer = null;
      this.set({ lastSeq: this.cursor.lastSeq });
    }, 250);
  }

  private set(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }
}
