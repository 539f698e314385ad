import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { safeText } from '@baton/contracts';

/**
 * What the demo agent prints in its terminal: one readable line per step, coloured in a TTY.
 * The text quotes tasks (titles, directives) and goes out byte-exact to whoever attaches, so
 * its controls are dropped here; the colours are the log's own.
 */
export class TerminalLog {
  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly now: () => Date = () => new Date(),
  ) {}

  private paint(code: string, s: string): string {
    return this.out.isTTY ? `\u001b[${code}m${s}\u001b[0m` : s;
  }

  private line(mark: string, text: string): void {
    const time = this.now().toISOString().slice(11, 19);
    this.out.write(`${this.paint('2', time)} ${mark} ${safeText(text, { multiline: true })}\n`);
  }

  info(text: string): void {
    this.line(this.paint('36', '•'), text);
  }
  step(text: string): void {
    this.line(this.paint('34', '▸'), text);
  }
  ok(text: string): void {
    this.line(this.paint('32', '✓'), text);
  }
  warn(text: string): void {
    this.line(this.paint('33', '!'), text);
  }
  fail(text: string): void {
    this.line(this.paint('31', '✗'), text);
  }
  /** A question for the person at the terminal: stands out, then a prompt on its own line. */
  ask(question: string): void {
    this.out.write(`\n${this.paint('1;33', '? ' + safeText(question, { multiline: true }))}\n${this.paint('33', 'answer> ')}`);
  }
  raw(text: string): void {
    this.out.write(safeText(text, { multiline: true }));
  }
}

/**
 * Lines typed into the agent's terminal, one at a time, read only while asked for: the
 * stream is paused between questions and released at the end, so it never keeps the
 * process alive.
 */
export class LineReader {
  private rl: Interface | null = null;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;

  constructor(private readonly input: Readable) {}

  private open(): void {
    if (this.rl || this.ended) return;
    this.rl = createInterface({ input: this.input, crlfDelay: Infinity, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.rl = null;
      const w = this.waiting;
      this.waiting = null;
      w?.(null);
    });
  }

  /** The next non-empty line; null when the input ended first. */
  async next(): Promise<string | null> {
    this.open();
    this.input.resume();
    for (;;) {
      const line = this.lines.length ? this.lines.shift()! : this.ended ? null : await new Promise<string | null>((r) => (this.waiting = r));
      if (line === null) return null;
      // eslint-disable-next-line no-control-regex
      const clean = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
      if (clean) {
        this.input.pause();
        return clean;
      }
    }
  }

  close(): void {
    this.rl?.close();
    this.rl = null;
    this.input.pause();
    (this.input as Readable & { unref?: () => void }).unref?.();
  }
}
