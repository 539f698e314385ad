import { Terminal } from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';

export interface ScreenOptions {
  cols: number;
  rows: number;
  /** Lines kept above the visible screen (also what a snapshot carries). */
  scrollback?: number;
  /** The chunk the screen starts after (a restarted session's last stored chunk); -1 by default. */
  afterChunk?: number;
}

/** What a new viewer needs: size it to cols × rows, then write `data`. */
export interface ScreenSnapshot {
  cols: number;
  rows: number;
  data: string;
  /**
   * The last terminal chunk the screen contains (-1: none): its output is exactly the
   * chunks up to this one, so a viewer continues with the chunk after it.
   */
  chunk: number;
  /** Whether a full-screen program switched to the alternate screen (vim, less, TUIs). */
  alternateScreen: boolean;
}

/**
 * A headless xterm per session, fed the same chunks as the viewers, so a viewer that joins
 * late gets the current screen (colors, cursor, alternate screen of a TUI) in one write
 * instead of a replay of everything since the start. Fed whole chunks with their index, a
 * snapshot names the exact last chunk it contains (the gateway continues after it).
 */
export class TerminalScreen {
  private readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private disposed = false;
  private applied: number;

  constructor(opts: ScreenOptions) {
    this.applied = opts.afterChunk ?? -1;
    // allowProposedApi: the serialize addon reads buffer internals behind that flag.
    this.term = new Terminal({ cols: opts.cols, rows: opts.rows, scrollback: opts.scrollback ?? 1_000, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /**
   * Resolves once xterm has parsed the bytes (its parser works asynchronously); `chunk`
   * is recorded then, so a snapshot and the chunk index read with it always agree.
   */
  write(data: Uint8Array | string, chunk?: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise((resolve) =>
      this.term.write(data, () => {
        if (chunk !== undefined) this.applied = Math.max(this.applied, chunk);
        resolve();
      }),
    );
  }

  resize(cols: number, rows: number): void {
    if (!this.disposed) this.term.resize(Math.max(1, Math.floor(cols)), Math.max(1, Math.floor(rows)));
  }

  /** The screen as escape sequences that rebuild it in a fresh terminal of the same size. */
  async snapshot(opts: { scrollback?: number } = {}): Promise<ScreenSnapshot> {
    await this.settled();
    const data = this.disposed ? '' : this.serializer.serialize({ scrollback: opts.scrollback });
    return { cols: this.term.cols, rows: this.term.rows, data, chunk: this.applied, alternateScreen: this.alternateScreen };
  }

  /** The visible screen as plain text, one line per row, trailing blanks trimmed. */
  async text(): Promise<string> {
    await this.settled();
    return visibleText(this.term);
  }

  /** Cursor position on the visible screen, 0-based. */
  async cursor(): Promise<{ x: number; y: number }> {
    await this.settled();
    const b = this.term.buffer.active;
    return { x: b.cursorX, y: b.cursorY };
  }

  /** Whether a full-screen program switched to the alternate screen (vim, less, TUIs). */
  get alternateScreen(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.term.dispose();
  }

  /** Writes queued before this call have been parsed once it resolves. */
  private settled(): Promise<void> {
    return this.write('');
  }
}

function visibleText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < term.rows; y++) {
    lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
