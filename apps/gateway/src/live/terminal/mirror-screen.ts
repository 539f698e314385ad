import { Terminal } from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';

export interface MirrorSnapshot {
  cols: number;
  rows: number;
  data: string;
  /** The last chunk the screen had parsed when it was serialized (-1: none). */
  chunk: number;
  alternateScreen: boolean;
}

/**
 * The gateway's copy of one session's screen, fed the same chunks as its viewers, so any
 * viewer can be given "the screen as of chunk N" at any moment: a late joiner, or a slow
 * one being resynced. xterm parses asynchronously; the chunk index is recorded in each
 * write's callback, so a serialization and the index read with it always agree.
 */
export class MirrorScreen {
  private readonly term: Terminal;
  private readonly serializer = new SerializeAddon();
  private applied = -1;
  private disposed = false;

  constructor(cols: number, rows: number, scrollback = 1_000) {
    // allowProposedApi: the serialize addon reads buffer internals behind that flag.
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
  }

  write(data: Uint8Array | string, chunk: number): void {
    if (this.disposed) return;
    this.term.write(data, () => {
      this.applied = Math.max(this.applied, chunk);
    });
  }

  resize(cols: number, rows: number): void {
    if (!this.disposed && (cols !== this.term.cols || rows !== this.term.rows)) this.term.resize(cols, rows);
  }

  async snapshot(): Promise<MirrorSnapshot> {
    await new Promise<void>((resolve) => (this.disposed ? resolve() : this.term.write('', resolve)));
    return {
      cols: this.term.cols,
      rows: this.term.rows,
      data: this.disposed ? '' : this.serializer.serialize(),
      chunk: this.applied,
      alternateScreen: this.term.buffer.active.type === 'alternate',
    };
  }

  /** The visible rows as text (specs). */
  async text(): Promise<string> {
    await new Promise<void>((resolve) => this.term.write('', resolve));
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.term.dispose();
  }
}
