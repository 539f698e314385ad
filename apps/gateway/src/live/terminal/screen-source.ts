import { z } from 'zod';
import type { Logger } from '@baton/event-store';
import { lastStoredFrame, readStoredFrames, terminalStreamLastSeq, type TerminalBroker, type TerminalFrame } from './terminal-frames';

/** What a new mirror starts from, and the stream sequence its chunks continue after. */
export type InitialScreen = { afterSeq: number; chunk: number; cols: number; rows: number } & (
  | { source: 'runner'; data: string }
  | { source: 'log'; frames: TerminalFrame[] }
);

const RunnerScreen = z.object({ cols: z.number().int().min(1).max(10_000), rows: z.number().int().min(1).max(10_000), data: z.string() });

export interface ScreenSourceOptions {
  broker: TerminalBroker;
  /** The HTTP base URL of the runner hosting the session now, or null. */
  runnerUrl(sessionId: string): Promise<string | null>;
  secret?: string;
  logger: Logger;
  /** The PTY size a session starts with (sessions service): a rebuilt screen uses it. */
  defaultSize: { cols: number; rows: number };
  /** After fetching the runner's screen, how long no new chunk must appear for it to count as "at the last chunk". */
  quietMs?: number;
  attempts?: number;
  fetchTimeoutMs?: number;
}

const SECRET_HEADER = 'x-baton-runner-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The screen a session's mirror starts from. First choice: the runner's live screen
 * (`GET /sessions/:id/screen`), cheap whatever the session's history. It is only usable if
 * it sits exactly at a chunk boundary: the runner's screen takes bytes before they are
 * coalesced into a chunk, so the snapshot counts only when no chunk was stored between just
 * before the request and `quietMs` after it (longer than the coalescing delay). A busy
 * terminal is retried; a runner that is unknown, down or done with the session means the
 * screen is rebuilt from the stored chunks instead, which is exact by construction.
 */
export class ScreenSource {
  constructor(private readonly o: ScreenSourceOptions) {}

  async initial(sessionId: string): Promise<InitialScreen> {
    const url = await this.o.runnerUrl(sessionId).catch(() => null);
    if (url) {
      for (let attempt = 0; attempt < (this.o.attempts ?? 3); attempt++) {
        const got = await this.fromRunner(url, sessionId);
        if (got === 'unavailable') break;
        if (got !== 'busy') return got;
      }
    }
    return this.fromLog(sessionId);
  }

  private async fromRunner(url: string, sessionId: string): Promise<InitialScreen | 'busy' | 'unavailable'> {
    const before = await lastStoredFrame(this.o.broker, sessionId);
    const afterSeq = before?.seq ?? (await terminalStreamLastSeq(this.o.broker));
    let screen: z.output<typeof RunnerScreen>;
    try {
      const res = await fetch(`${url}/sessions/${encodeURIComponent(sessionId)}/screen`, {
        headers: this.o.secret ? { [SECRET_HEADER]: this.o.secret } : {},
        signal: AbortSignal.timeout(this.o.fetchTimeoutMs ?? 3_000),
      });
      if (!res.ok) {
        if (res.status !== 404) this.o.logger.warn({ sessionId, status: res.status }, 'live: runner screen unavailable; rebuilding from the log');
        return 'unavailable';
      }
      screen = RunnerScreen.parse(await res.json());
    } catch (err) {
      this.o.logger.warn({ sessionId, err: (err as Error).message }, 'live: runner screen unavailable; rebuilding from the log');
      return 'unavailable';
    }
    await sleep(this.o.quietMs ?? 60);
    const after = await lastStoredFrame(this.o.broker, sessionId);
    if ((after?.seq ?? 0) !== (before?.seq ?? 0)) return 'busy';
    return { source: 'runner', afterSeq, chunk: before?.chunk ?? -1, cols: screen.cols, rows: screen.rows, data: screen.data };
  }

  private async fromLog(sessionId: string): Promise<InitialScreen> {
    const last = await lastStoredFrame(this.o.broker, sessionId);
    const size = this.o.defaultSize;
    if (!last) return { source: 'log', afterSeq: await terminalStreamLastSeq(this.o.broker), chunk: -1, ...size, frames: [] };
    const frames = await readStoredFrames(this.o.broker, sessionId, last.seq);
    const chunk = frames.length ? frames[frames.length - 1].chunk : -1;
    return { source: 'log', afterSeq: last.seq, chunk, ...size, frames };
  }
}
