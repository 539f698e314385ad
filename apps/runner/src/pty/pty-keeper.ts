import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { encodeFrame, FrameReader, FrameType, jsonOf, KEEPER_PROTOCOL, type Frame, type KeeperMark, type KeptSessionInfo } from './keeper-protocol';
import { spawnPty, type PtyExit, type PtyProcess, type PtySpawnOptions } from './pty-process';

/*
 * The PTY keeper (docs/decisions/0029): one small process per runner that holds its sessions'
 * terminals, so a runner that restarts (a crash, an upgrade) finds its agents still running and
 * takes their terminals back. It knows nothing of Baton: it spawns what it is told, keeps each
 * program's output from the last point the runner says is in the log (the mark) so a new runner
 * publishes it again from there, and keeps the exit until the runner says it was recorded.
 */

/** Output kept before the mark, for a re-attached runner's screen. */
const TAIL_BYTES = 256 * 1024;
/** Output not yet marked that it keeps while no runner reads it; beyond that the program waits (its PTY is not read). */
const UNMARKED_LIMIT = 8 * 1024 * 1024;
/** An exit nobody came to collect is forgotten after this long. */
const UNCLAIMED_EXIT_MS = 60 * 60_000;

interface Kept {
  key: string;
  pty: PtyProcess;
  meta: unknown;
  /** Output from position `from` to `from + size` (the tail before the mark, and what follows it). */
  out: Buffer[];
  from: number;
  size: number;
  mark: KeeperMark | null;
  exit: PtyExit | null;
  exitedAt: number | null;
  client: Socket | null;
  clientPaused: boolean;
  ptyPaused: boolean;
  orphaned: NodeJS.Timeout | null;
}

/*
 * A runner that does not come back within `orphanMs` is gone for good (its machine is trouble):
 * the sessions service will place its sessions elsewhere once it calls the runner lost (at the
 * earliest 10 s of silence + the hold, BATON_LOST_HOLD_MS: 90 s, never set it under 20 s here,
 * docs/decisions/0026), so the keeper stops them before that (20 s + 5 s of grace) — never two
 * live copies of one session.
 */
const DEFAULT_ORPHAN_MS = 20_000;
const ORPHAN_STOP_GRACE_MS = 5_000;

export interface PtyKeeperOptions {
  socketPath: string;
  /** With no session and no runner connected for this long, the keeper exits. */
  idleExitMs?: number;
  /** A session no runner takes back for this long is stopped. */
  orphanMs?: number;
  log?: (msg: string) => void;
}

export class PtyKeeper {
  private readonly sessions = new Map<string, Kept>();
  private readonly clients = new Set<Socket>();
  private server: Server | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly sweep: NodeJS.Timeout;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(private readonly o: PtyKeeperOptions) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.sweep = setInterval(() => this.forgetUnclaimed(), 60_000);
    this.sweep.unref();
  }

  /** Listens on the socket, unless another keeper answers there already (then resolves false). */
  async listen(): Promise<boolean> {
    mkdirSync(dirname(this.o.socketPath), { recursive: true, mode: 0o700 });
    if (existsSync(this.o.socketPath)) {
      if (await answers(this.o.socketPath)) return false;
      unlinkSync(this.o.socketPath);
    }
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.socketPath, () => resolve());
    });
    chmodSync(this.o.socketPath, 0o600);
    this.server = server;
    this.idleCheck();
    return true;
  }

  close(): void {
    clearInterval(this.sweep);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.server?.close();
    for (const c of this.clients) c.destroy();
    try {
      unlinkSync(this.o.socketPath);
    } catch {
      // gone already
    }
    this.resolveClosed();
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    this.idleCheck();
    const reader = new FrameReader();
    socket.on('data', (bytes) => {
      try {
        reader.push(bytes, (frame) => this.handle(socket, frame));
      } catch (e) {
        this.o.log?.(`bad frame: ${(e as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.clients.delete(socket);
      for (const k of this.sessions.values()) if (k.client === socket) this.detach(k);
      this.idleCheck();
    });
  }

  private handle(socket: Socket, frame: Frame): void {
    const k = this.sessions.get(frame.key);
    switch (frame.type) {
      case FrameType.hello:
        return send(socket, FrameType.helloBack, '', { protocol: KEEPER_PROTOCOL, pid: process.pid });
      case FrameType.spawn:
        return this.spawn(socket, frame.key, jsonOf(frame));
      case FrameType.quit:
        if (this.sessions.size === 0) this.close();
        return;
      case FrameType.list:
        return send(socket, FrameType.listed, '', [...this.sessions.values()].map(info));
      case FrameType.attach:
        if (!k) return send(socket, FrameType.failed, frame.key, { message: `no session ${frame.key} here` });
        return this.attach(k, socket);
    }
    if (!k) return;
    switch (frame.type) {
      case FrameType.write:
        return k.pty.write(frame.payload);
      case FrameType.resize: {
        const { cols, rows } = jsonOf<{ cols: number; rows: number }>(frame);
        return k.pty.resize(cols, rows);
      }
      case FrameType.pause:
        k.clientPaused = true;
        return this.flow(k);
      case FrameType.resume:
        k.clientPaused = false;
        return this.flow(k);
      case FrameType.kill: {
        const { signal, graceMs } = jsonOf<{ signal: NodeJS.Signals; graceMs: number }>(frame);
        void k.pty.kill(signal, graceMs);
        return;
      }
      case FrameType.mark:
        k.mark = { ...jsonOf<KeeperMark>(frame), at: Date.now() };
        this.trim(k);
        return this.flow(k);
      case FrameType.release:
        if (k.exit) this.forget(k);
        return;
    }
  }

  private spawn(socket: Socket, key: string, body: { opts: PtySpawnOptions; meta: unknown }): void {
    if (this.sessions.has(key)) return send(socket, FrameType.failed, key, { message: `${key} is running here already` });
    let pty: PtyProcess;
    try {
      pty = spawnPty(body.opts);
    } catch (e) {
      return send(socket, FrameType.failed, key, { message: (e as Error).message });
    }
    const k: Kept = { key, pty, meta: body.meta, out: [], from: 0, size: 0, mark: null, exit: null, exitedAt: null, client: socket, clientPaused: false, ptyPaused: false, orphaned: null };
    this.sessions.set(key, k);
    this.idleCheck();
    pty.onData((data) => {
      k.out.push(data);
      k.size += data.byteLength;
      if (k.client) send(k.client, FrameType.data, key, data);
      this.flow(k);
    });
    void pty.exited.then((exit) => {
      if (k.orphaned) clearTimeout(k.orphaned);
      k.orphaned = null;
      k.exit = exit;
      k.exitedAt = Date.now();
      if (k.client) send(k.client, FrameType.exit, key, exit);
    });
    send(socket, FrameType.spawned, key, { pid: pty.pid });
  }

  /** A runner takes the session: the tail before the mark for its screen, then everything after the mark, then live. */
  private attach(k: Kept, socket: Socket): void {
    if (k.client && k.client !== socket) this.detach(k);
    k.client = socket;
    if (k.orphaned) clearTimeout(k.orphaned);
    k.orphaned = null;
    const all = Buffer.concat(k.out);
    k.out = all.length ? [all] : [];
    const markAt = Math.min(Math.max((k.mark?.bytes ?? 0) - k.from, 0), all.length);
    send(socket, FrameType.attached, k.key, info(k));
    send(socket, FrameType.tail, k.key, all.subarray(0, markAt));
    if (markAt < all.length) send(socket, FrameType.data, k.key, all.subarray(markAt));
    if (k.exit) send(socket, FrameType.exit, k.key, k.exit);
    this.flow(k);
  }

  private detach(k: Kept): void {
    k.client = null;
    k.clientPaused = false;
    this.flow(k);
    if (!k.exit && !k.orphaned) {
      k.orphaned = setTimeout(() => {
        this.o.log?.(`${k.key}: no runner took it back; stopping it`);
        void k.pty.kill('SIGTERM', ORPHAN_STOP_GRACE_MS);
      }, this.o.orphanMs ?? DEFAULT_ORPHAN_MS);
    }
  }

  /** Drops output older than the tail before the mark. */
  private trim(k: Kept): void {
    const keepFrom = Math.max(0, (k.mark?.bytes ?? 0) - TAIL_BYTES);
    while (k.out.length && k.from + k.out[0].byteLength <= keepFrom) {
      k.from += k.out[0].byteLength;
      k.size -= k.out[0].byteLength;
      k.out.shift();
    }
  }

  /** Reads the PTY unless the runner asked to wait, or no runner reads and the unmarked output is at its limit. */
  private flow(k: Kept): void {
    if (k.exit) return;
    const unmarked = k.from + k.size - (k.mark?.bytes ?? 0);
    if (k.client && unmarked > 2 * UNMARKED_LIMIT) {
      // A runner that reads but does not mark: keep memory bounded, at the cost of what a later runner could publish again.
      k.mark = { chunk: k.mark?.chunk ?? -1, offsetMs: k.mark?.offsetMs ?? 0, bytes: k.from + k.size - UNMARKED_LIMIT, at: Date.now() };
      this.trim(k);
    }
    const pause = k.clientPaused || (!k.client && unmarked >= UNMARKED_LIMIT);
    if (pause === k.ptyPaused) return;
    k.ptyPaused = pause;
    if (pause) k.pty.pause();
    else k.pty.resume();
  }

  private forget(k: Kept): void {
    this.sessions.delete(k.key);
    this.idleCheck();
  }

  private forgetUnclaimed(): void {
    const now = Date.now();
    for (const k of this.sessions.values()) if (k.exitedAt !== null && !k.client && now - k.exitedAt > UNCLAIMED_EXIT_MS) this.forget(k);
  }

  private idleCheck(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.sessions.size > 0 || this.clients.size > 0 || !this.server) return;
    this.idleTimer = setTimeout(() => {
      this.o.log?.('no session and no runner: exiting');
      this.close();
    }, this.o.idleExitMs ?? 30_000);
  }
}

function info(k: Kept): KeptSessionInfo {
  return { key: k.key, pid: k.pty.pid, meta: k.meta, mark: k.mark, exit: k.exit };
}

function send(socket: Socket, type: number, key: string, payload?: Uint8Array | object): void {
  if (!socket.destroyed) socket.write(encodeFrame(type, key, payload));
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
