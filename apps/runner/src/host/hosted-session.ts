import type { SubmitStyle } from '@baton/agents';
import type { RunnerStart } from '@baton/events';
import type { OutputPatterns } from '../patterns';
import type { PtyExit, PtyProcess } from '../pty';
import type { Screen, TerminalPipeline } from '../terminal';
import type { KeptToken } from './token-keeper';
import { unconfined, type Confine } from './template-scripts';

export type SessionPhase = 'preparing' | 'running' | 'exited';

/** One start of one session on this runner, from the `start` message to the reported exit. */
export class HostedSession {
  phase: SessionPhase = 'preparing';
  /** How its scripts run: in its sandbox as its user for a sandboxed agent (template-scripts.ts). */
  confine: Confine = unconfined;
  /** A `stop` came before the process ran: do not spawn it (`cancel`). */
  cancelled = false;
  /** Aborted by `cancel`: kills what preparing runs meanwhile (a clone or fetch of the repository). */
  private readonly preparing = new AbortController();
  /** A newer start of the same session replaced this one: its exit is not reported. */
  superseded = false;
  /** The sessions service said 409: it is killed as an orphan. */
  disowned = false;
  /**
   * The session moved away from this copy (a fence stop, or a report refused as stale): it is
   * stopped, and nothing more is reported, pushed or cleaned up for it (docs/decisions/0026).
   */
  fenced = false;
  stopRequest: { cleanup: boolean; reason: string } | null = null;
  pty: PtyProcess | null = null;
  pipeline: TerminalPipeline | null = null;
  screen: Screen | null = null;
  patterns: OutputPatterns | null = null;
  lastOutputAt: string | null = null;
  workspaceDir: string | null = null;
  env: Record<string, string> | null = null;
  /** Input that arrived while the workspace was being prepared; typed after `initialInput`. */
  readonly pendingInput: RunnerStart['initialInput'] = [];
  /** How this agent's TUI takes a submitted message (its adapter's); default: Enter right after. */
  submit: SubmitStyle | null = null;
  /** The keystrokes being typed now: the next input waits for them. */
  typing: Promise<void> = Promise.resolve();
  exit: PtyExit | null = null;
  /** Its token being kept fresh in BATON_TOKEN_FILE (host/token-keeper.ts); stopped when it ends. */
  token: KeptToken | null = null;
  matchCount = 0;
  /** When the `start` message arrived (performance.now()), for the spawn latency. */
  readonly receivedAt = performance.now();
  private resolveDone!: () => void;
  /** Settles once the start is over: spawn failed, cancelled, or the process exited and that was handled. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(
    readonly start: RunnerStart,
    /** Stream sequence of the `start` message: keys this start's command ids. */
    readonly startSeq: number,
  ) {}

  get sessionId(): string {
    return this.start.sessionId;
  }

  get pid(): number | null {
    return this.pty?.pid ?? null;
  }

  /** Prefix of every command id this start sends, so a resend is de-duplicated and a new start is not. */
  commandId(runnerId: string, fact: string): string {
    return reportId(runnerId, this.sessionId, this.startSeq, fact);
  }

  get signal(): AbortSignal {
    return this.preparing.signal;
  }

  /** Stopped before it ran: it is not spawned, and the git work it waits for is killed. */
  cancel(): void {
    this.cancelled = true;
    this.preparing.abort();
  }

  finish(): void {
    this.phase = 'exited';
    this.resolveDone();
  }
}

/** `<runnerId>.<sessionId>.<startSeq>.<fact>`: the id of a report about one start of one session. */
export function reportId(runnerId: string, sessionId: string, startSeq: number, fact: string): string {
  return `${runnerId}.${sessionId}.${startSeq}.${fact}`;
}
