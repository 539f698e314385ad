import { RunnerScreenSchema } from '@baton/events';
import type { Logger } from '@baton/event-store';
import { lastStoredFrame, readStoredFrames, terminalStreamLastSeq, type TerminalBroker, type TerminalFrame } from './terminal-frames';

/** The runner's screen of a session, exactly as of its chunk `chunk`. */
export interface RunnerScreen {
  cols: number;
  rows: number;
  data: string;
  /** The last chunk the screen contains (-1: none); output continues with the chunk after it. */
  chunk: number;
  alternateScreen: boolean;
}

/** Every stored chunk of a session, and the stream sequence they go up to. */
export interface StoredScreen {
  afterSeq: number;
  chunk: number;
  frames: TerminalFrame[];
}


export interface ScreenSourceOptions {
  broker: TerminalBroker;
  /** The HTTP base URL of the runner hosting the session now, or null. */
  runnerUrl(sessionId: string): Promise<string | null>;
  /** Whether the runner was ever placed with the session: the stored chunks of other runners are not the session's. */
  hosted(sessionId: string, runnerId: string): Promise<boolean>;
  secret?: string;
  logger: Logger;
  /** The PTY size a session starts with (sessions service): a rebuilt screen uses it. */
  defaultSize: { cols: number; rows: number };
  fetchTimeoutMs?: number;
}

const SECRET_HEADER = 'x-baton-runner-secret';

/**
 * Where a session's screen comes from. First choice: the runner's live screen
 * (`GET /sessions/:id/screen`), cheap whatever the session's history. The runner feeds its
 * screen whole chunks and says the last one it contains, so output continues exactly after
 * it. A runner that is unknown, down, done with the session (or too old to name the chunk)
 * means the screen is rebuilt from the stored chunks instead, which is exact by construction.
 */
export class ScreenSource {
  constructor(private readonly o: ScreenSourceOptions) {}

  get defaultSize(): { cols: number; rows: number } {
    return this.o.defaultSize;
  }

  /** Whether the runner was ever placed with the session (terminal-feed.ts keeps only those runners' chunks). */
  hosted(sessionId: string, runnerId: string): Promise<boolean> {
    return this.o.hosted(sessionId, runnerId);
  }

  /** The runner's screen, or null when it cannot give one. */
  async fromRunner(sessionId: string): Promise<RunnerScreen | null> {
    const url = await this.o.runnerUrl(sessionId).catch(() => null);
    if (!url) return null;
    try {
      const res = await fetch(`${url}/sessions/${encodeURIComponent(sessionId)}/screen`, {
        headers: this.o.secret ? { [SECRET_HEADER]: this.o.secret } : {},
        signal: AbortSignal.timeout(this.o.fetchTimeoutMs ?? 3_000),
      });
      if (!res.ok) {
        if (res.status !== 404) this.o.logger.warn({ sessionId, status: res.status }, 'live: runner screen unavailable; rebuilding from the log');
        return null;
      }
      const screen = RunnerScreenSchema.safeParse(await res.json());
      if (!screen.success) {
        this.o.logger.warn({ sessionId }, 'live: the runner’s screen names no chunk; rebuilding from the log');
        return null;
      }
      return { ...screen.data, alternateScreen: screen.data.alternateScreen ?? false };
    } catch (err) {
      this.o.logger.warn({ sessionId, err: (err as Error).message }, 'live: runner screen unavailable; rebuilding from the log');
      return null;
    }
  }

  /** Every stored chunk of the session, in chunk order. */
  async fromLog(sessionId: string): Promise<StoredScreen> {
    const last = await lastStoredFrame(this.o.broker, sessionId);
    if (!last) return { afterSeq: await terminalStreamLastSeq(this.o.broker), chunk: -1, frames: [] };
    const frames = await readStoredFrames(this.o.broker, sessionId, last.seq, (runnerId) => this.o.hosted(sessionId, runnerId));
    const chunk = frames.length ? frames[frames.length - 1].chunk : -1;
    return { afterSeq: last.seq, chunk, frames };
  }
}
