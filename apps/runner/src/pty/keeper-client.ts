import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { encodeFrame, FrameReader, FrameType, jsonOf, KEEPER_PROTOCOL, type Frame, type KeeperMark, type KeptSessionInfo } from './keeper-protocol';
import { PtySpawnError, type PtyExit, type PtyProcess, type PtySpawnOptions } from './pty-process';

/** Unix socket paths are limited to 108 bytes on Linux. */
const MAX_SOCKET_PATH = 100;
const KEEPER_MAIN = join(__dirname, 'pty-keeper-main.js');

/**
 * The runner's side of the PTY keeper (pty-keeper.ts): starts the keeper if none answers,
 * spawns programs in it and takes back, after a restart, the ones it still holds.
 */
export class PtyKeeperClient {
  private readonly waiting = new Map<string, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  private readonly ptys = new Map<string, RemotePty>();
  private closing = false;
  keeperPid = 0;

  private constructor(private readonly socket: Socket) {
    const reader = new FrameReader();
    socket.on('data', (bytes) => reader.push(bytes, (frame) => this.receive(frame)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const lost = new Error('the PTY keeper went away');
      for (const w of this.waiting.values()) w.reject(lost);
      this.waiting.clear();
      // The keeper held the terminals: without it the programs got their hangup.
      for (const pty of this.ptys.values()) pty.gone(this.closing ? null : { exitCode: null, signal: 'SIGHUP' });
      this.ptys.clear();
    });
  }

  /** Connects to the keeper on `socketPath`, starting one (detached, its log beside the socket) if none answers. */
  static async connect(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<PtyKeeperClient> {
    if (socketPath.length > MAX_SOCKET_PATH) throw new Error(`the keeper's socket path is too long for a Unix socket (${socketPath.length} > ${MAX_SOCKET_PATH}): ${socketPath}`);
    let socket = await connectTo(socketPath).catch(() => null);
    if (!socket) {
      startKeeper(socketPath);
      const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
      while (!socket) {
        if (Date.now() > deadline) throw new Error(`the PTY keeper did not answer on ${socketPath} (see ${socketPath}.log)`);
        await new Promise((r) => setTimeout(r, 50));
        socket = await connectTo(socketPath).catch(() => null);
      }
    }
    const client = new PtyKeeperClient(socket);
    const hello = jsonOf<{ protocol: number; pid: number }>(await client.request(FrameType.hello, '', FrameType.helloBack, { protocol: KEEPER_PROTOCOL }));
    if (hello.protocol !== KEEPER_PROTOCOL) {
      client.close();
      throw new Error(`the PTY keeper speaks protocol ${hello.protocol}, this runner ${KEEPER_PROTOCOL}`);
    }
    client.keeperPid = hello.pid;
    return client;
  }

  /** Spawns a program in the keeper; `meta` comes back with it after a restart (list/attach). */
  async spawn(key: string, opts: PtySpawnOptions, meta: unknown): Promise<RemotePty> {
    const pty = new RemotePty(this, key, 0, 0);
    this.ptys.set(key, pty);
    try {
      const reply = await this.request(FrameType.spawn, key, FrameType.spawned, { opts, meta });
      pty.pid = jsonOf<{ pid: number }>(reply).pid;
      return pty;
    } catch (e) {
      this.ptys.delete(key);
      throw e instanceof KeeperRefusal ? new PtySpawnError(e.message) : e;
    }
  }

  async list(): Promise<KeptSessionInfo[]> {
    return jsonOf<KeptSessionInfo[]>(await this.request(FrameType.list, '', FrameType.listed));
  }

  /** Takes a held program back: its output from the mark on arrives as data, what came before as `tail`. */
  async attach(key: string): Promise<{ pty: RemotePty; info: KeptSessionInfo; tail: Buffer }> {
    const pty = new RemotePty(this, key, 0, 0);
    this.ptys.set(key, pty);
    const tail = new Promise<Frame>((resolve, reject) => this.waiting.set(`${FrameType.tail}:${key}`, { resolve, reject }));
    const info = jsonOf<KeptSessionInfo>(await this.request(FrameType.attach, key, FrameType.attached));
    pty.pid = info.pid;
    pty.bytes = info.mark?.bytes ?? 0;
    return { pty, info, tail: (await tail).payload };
  }

  send(type: number, key: string, payload?: Uint8Array | object): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(type, key, payload));
  }

  /** The runner stops for good (drained): the keeper exits now if it holds nothing, instead of after its idle time. */
  quit(): void {
    this.send(FrameType.quit, '');
    this.close();
  }

  /** Leaves the keeper and its programs running (a runner restarting). */
  close(): void {
    this.closing = true;
    this.socket.end();
  }

  forget(key: string): void {
    this.ptys.delete(key);
  }

  private request(type: number, key: string, answer: number, payload?: object): Promise<Frame> {
    return new Promise((resolve, reject) => {
      this.waiting.set(`${answer}:${key}`, { resolve, reject });
      if (answer !== FrameType.helloBack && answer !== FrameType.listed) this.waiting.set(`${FrameType.failed}:${key}`, { resolve, reject });
      this.send(type, key, payload);
    });
  }

  private receive(frame: Frame): void {
    const waiter = this.waiting.get(`${frame.type}:${frame.key}`);
    if (waiter) {
      this.waiting.delete(`${frame.type}:${frame.key}`);
      this.waiting.delete(`${FrameType.failed}:${frame.key}`);
      if (frame.type === FrameType.failed) {
        this.waiting.delete(`${FrameType.spawned}:${frame.key}`);
        this.waiting.delete(`${FrameType.attached}:${frame.key}`);
        this.waiting.delete(`${FrameType.tail}:${frame.key}`);
        waiter.reject(new KeeperRefusal(jsonOf<{ message: string }>(frame).message));
      } else waiter.resolve(frame);
      return;
    }
    const pty = this.ptys.get(frame.key);
    if (!pty) return;
    if (frame.type === FrameType.data) pty.data(frame.payload);
    else if (frame.type === FrameType.exit) pty.gone(jsonOf<PtyExit>(frame));
  }
}

class KeeperRefusal extends Error {}

/** A program in the keeper, driven like a local PTY (the terminal pipeline cannot tell). */
export class RemotePty implements PtyProcess {
  readonly exited: Promise<PtyExit>;
  private resolveExit!: (exit: PtyExit) => void;
  private readonly listeners = new Set<(data: Buffer) => void>();
  /** Output that came before the terminal pipeline listened (`deliver`), kept for it. */
  private early: Buffer[] | null = [];
  private done = false;
  /** Output bytes from the program's start up to the last byte handed on: what a mark covers. */
  bytes: number;

  constructor(
    private readonly client: PtyKeeperClient,
    readonly key: string,
    public pid: number,
    startBytes: number,
  ) {
    this.bytes = startBytes;
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  onData(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(data: string | Uint8Array): void {
    if (!this.done) this.client.send(FrameType.write, this.key, typeof data === 'string' ? Buffer.from(data) : data);
  }

  resize(cols: number, rows: number): void {
    if (!this.done) this.client.send(FrameType.resize, this.key, { cols: Math.max(1, Math.floor(cols)), rows: Math.max(1, Math.floor(rows)) });
  }

  pause(): void {
    if (!this.done) this.client.send(FrameType.pause, this.key);
  }

  resume(): void {
    if (!this.done) this.client.send(FrameType.resume, this.key);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<PtyExit> {
    if (!this.done) this.client.send(FrameType.kill, this.key, { signal, graceMs });
    return this.exited;
  }

  /** Chunk `index` (of `length` bytes, in order) is published: a runner after us publishes from after it. */
  marked(index: number, offsetMs: number, length: number): void {
    this.bytes += length;
    if (!this.done) this.client.send(FrameType.mark, this.key, { chunk: index, offsetMs, bytes: this.bytes } satisfies Omit<KeeperMark, 'at'>);
  }

  /** Its exit is recorded: the keeper may forget it. */
  release(): void {
    this.client.send(FrameType.release, this.key);
    this.client.forget(this.key);
  }

  data(bytes: Buffer): void {
    if (this.early) this.early.push(bytes);
    else for (const l of this.listeners) l(bytes);
  }

  /** Everyone listens now: the output kept meanwhile goes out, then the rest as it comes. */
  deliver(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const bytes of early) this.data(bytes);
  }

  /** The exit, or null: the runner let go of it (restarting), so this runner sees no exit. */
  gone(exit: PtyExit | null): void {
    if (this.done) return;
    this.done = true;
    if (exit) this.resolveExit(exit);
  }
}

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Detached, in a session of its own and with nothing of the runner's environment: it outlives the runner. */
function startKeeper(socketPath: string): void {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  const log = openSync(`${socketPath}.log`, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [KEEPER_MAIN, socketPath], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...pick(process.env, ['BATON_KEEPER_IDLE_EXIT_MS', 'BATON_KEEPER_ORPHAN_MS']) },
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}

const pick = (env: NodeJS.ProcessEnv, names: string[]) => Object.fromEntries(names.filter((n) => env[n]).map((n) => [n, env[n]!]));
