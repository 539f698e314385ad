import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TerminalScreen, type ScreenOptions, type ScreenSnapshot } from './screen';

/** What the session host and the terminal pipeline need of a screen, in this thread or another. */
export interface Screen {
  readonly cols: number;
  readonly rows: number;
  /** Resolves once the bytes are parsed; `chunk` is the index of the chunk they are. */
  write(data: Uint8Array | string, chunk?: number): Promise<void>;
  resize(cols: number, rows: number): void;
  snapshot(opts?: { scrollback?: number }): Promise<ScreenSnapshot>;
  text(): Promise<string>;
  cursor(): Promise<{ x: number; y: number }>;
  dispose(): void;
}

export type ScreenRequest =
  | { op: 'open'; id: string; cols: number; rows: number; scrollback?: number; afterChunk?: number }
  | { op: 'write'; id: string; data: Uint8Array | string; chunk?: number }
  | { op: 'resize'; id: string; cols: number; rows: number }
  | { op: 'dispose'; id: string }
  | { op: 'snapshot'; id: string; req: number; scrollback?: number }
  | { op: 'text'; id: string; req: number }
  | { op: 'cursor'; id: string; req: number };

export type ScreenReply = { op: 'written'; id: string } | { op: 'reply'; req: number; value?: unknown; error?: string };

const WORKER_FILE = join(__dirname, 'screen-worker.js');

/**
 * One worker thread that parses every screen of this runner. xterm parses about 40 MB/s; on
 * the main thread that time is taken from reading the PTYs (a fast program waits on a full
 * PTY meanwhile), in its own thread it runs beside them.
 */
/** A thread with no screens left ends after this long: a burst of output leaves its heap behind otherwise (a new one starts with the next screen). */
const IDLE_THREAD_MS = 10_000;

class ScreenThread {
  private readonly worker: Worker;
  private nextReq = 0;
  private nextScreen = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Ended for being idle: the next screen gets a new thread. */
  retired = false;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly written = new Map<string, (() => void)[]>();
  failed: Error | null = null;

  constructor() {
    this.worker = new Worker(WORKER_FILE);
    this.worker.unref();
    this.worker.on('message', (m: ScreenReply) => {
      if (m.op === 'written') this.written.get(m.id)?.shift()?.();
      else {
        const w = this.waiting.get(m.req);
        this.waiting.delete(m.req);
        if (m.error !== undefined) w?.reject(new Error(m.error));
        else w?.resolve(m.value);
      }
    });
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
      for (const q of this.written.values()) q.splice(0).forEach((r) => r());
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the screen thread exited (${code})`)));
  }

  open(opts: ScreenOptions): string {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = String(++this.nextScreen);
    this.written.set(id, []);
    this.post({ op: 'open', id, cols: opts.cols, rows: opts.rows, scrollback: opts.scrollback, afterChunk: opts.afterChunk });
    return id;
  }

  write(id: string, data: Uint8Array | string, chunk?: number): Promise<void> {
    const queue = this.written.get(id);
    if (!queue || this.failed) return Promise.resolve();
    return new Promise((resolve) => {
      queue.push(resolve);
      this.post({ op: 'write', id, data, chunk });
    });
  }

  ask<T>(m: { op: 'snapshot' | 'text' | 'cursor'; id: string; scrollback?: number }): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const req = ++this.nextReq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ ...m, req } as ScreenRequest);
    });
  }

  close(id: string): void {
    this.written.get(id)?.splice(0).forEach((r) => r());
    this.written.delete(id);
    this.post({ op: 'dispose', id });
    if (this.written.size === 0 && !this.idleTimer) {
      this.idleTimer = setTimeout(() => this.retire(), IDLE_THREAD_MS);
      this.idleTimer.unref();
    }
  }

  private retire(): void {
    this.idleTimer = null;
    if (this.written.size > 0 || this.failed) return;
    this.retired = true;
    void this.worker.terminate();
  }

  post(m: ScreenRequest): void {
    if (!this.failed) this.worker.postMessage(m);
  }
}

class ThreadedScreen implements Screen {
  private readonly id: string;
  private size: { cols: number; rows: number };
  private disposed = false;

  constructor(
    private readonly thread: ScreenThread,
    opts: ScreenOptions,
  ) {
    this.id = thread.open(opts);
    this.size = { cols: opts.cols, rows: opts.rows };
  }

  get cols(): number {
    return this.size.cols;
  }

  get rows(): number {
    return this.size.rows;
  }

  write(data: Uint8Array | string, chunk?: number): Promise<void> {
    return this.disposed ? Promise.resolve() : this.thread.write(this.id, data, chunk);
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.size = { cols: Math.max(1, Math.floor(cols)), rows: Math.max(1, Math.floor(rows)) };
    this.thread.post({ op: 'resize', id: this.id, ...this.size });
  }

  snapshot(opts: { scrollback?: number } = {}): Promise<ScreenSnapshot> {
    return this.thread.ask({ op: 'snapshot', id: this.id, scrollback: opts.scrollback });
  }

  text(): Promise<string> {
    return this.thread.ask({ op: 'text', id: this.id });
  }

  cursor(): Promise<{ x: number; y: number }> {
    return this.thread.ask({ op: 'cursor', id: this.id });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.thread.close(this.id);
  }
}

let thread: ScreenThread | null | undefined;

/**
 * A session's screen: parsed in the runner's screen thread when the built worker is there
 * (the service), else in this thread (specs run the TypeScript sources).
 */
export function createScreen(opts: ScreenOptions): Screen {
  if (thread === undefined || thread?.retired) thread = existsSync(WORKER_FILE) ? new ScreenThread() : null;
  if (thread && !thread.failed) return new ThreadedScreen(thread, opts);
  return new TerminalScreen(opts);
}
