/**
 * Turns a PTY's byte stream into plain-text lines for pattern matching: UTF-8 decoded across
 * chunk boundaries, escape sequences removed (also when a chunk ends inside one), `\r`, `\n`
 * and cursor jumps ending a line, and the current line bounded so a program that never
 * prints a newline cannot grow it without limit.
 */
export interface TerminalLinesOptions {
  /** Called with each line's text when the line is over (or with its tail when it overflows). */
  onLine(line: string, alreadySeen: number): void;
  /** The longest line kept; a longer one is handed over and continues with its last `overlap` characters. */
  maxLine?: number;
  overlap?: number;
}

/* eslint-disable no-control-regex -- terminal output is made of control characters */
// Complete escape sequences, matched at the position of an ESC (sticky).
const CSI = /\x1b\[([0-?]*)([ -/]*)([@-~])/y;
const STRING_SEQ = /\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\)/y;
const SHORT_SEQ = /\x1b(?:[ -/]+[0-~]|[0-~])/y;
// A prefix of one of them, cut off by the end of the chunk.
const INCOMPLETE = /^\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[PX^_][^\x1b]*\x1b?|[ -/]*)$/;
const SPECIAL = /[\x00-\x1f\x7f]/g;
/* eslint-enable no-control-regex */
const MAX_CARRY = 4_096;

export class TerminalLines {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxLine: number;
  private readonly overlap: number;
  private carry = '';
  private line = '';
  /** Characters of the current line already handed to `onLine` (by `peek` or an overflow). */
  private seen = 0;

  constructor(private readonly opts: TerminalLinesOptions) {
    this.maxLine = opts.maxLine ?? 4_096;
    this.overlap = Math.min(opts.overlap ?? 512, this.maxLine);
  }

  push(data: Uint8Array): void {
    this.scan(this.carry + this.decoder.decode(data, { stream: true }));
  }

  /** Hands over the unfinished line (a prompt waiting for input) without ending it. */
  peek(): void {
    if (this.line.length > this.seen) {
      this.opts.onLine(this.line, this.seen);
      this.seen = this.line.length;
    }
  }

  /** The stream ended: the last line is over. */
  end(): void {
    this.scan(this.carry + this.decoder.decode());
    this.carry = '';
    this.endLine();
  }

  private scan(s: string): void {
    this.carry = '';
    let i = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x1b) {
        const consumed = this.escape(s, i);
        if (consumed === 0) {
          const rest = s.slice(i);
          if (INCOMPLETE.test(rest) && rest.length <= MAX_CARRY) {
            this.carry = rest;
            return;
          }
          i++; // a lone or unknown ESC: drop it
        } else i += consumed;
      } else if (c === 0x0a || c === 0x0d) {
        this.endLine();
        i++;
      } else if (c < 0x20 || c === 0x7f) {
        if (c === 0x09) this.append('\t'); // BEL, backspace and friends carry no text
        i++;
      } else {
        SPECIAL.lastIndex = i;
        const stop = SPECIAL.exec(s)?.index ?? s.length;
        this.append(s.slice(i, stop));
        i = stop;
      }
    }
  }

  /** Length of the escape sequence at `i` (0 when it is incomplete or unknown). */
  private escape(s: string, i: number): number {
    CSI.lastIndex = i;
    const csi = CSI.exec(s);
    if (csi) {
      const final = csi[3];
      // Cursor positioning starts a new line of text; moving right, or to a column of the same
      // line (Claude Code's TUI places every word with CHA `ESC[<n>G`), stands for blanks.
      if (final === 'H' || final === 'f' || final === 'd' || final === 'E' || final === 'F') this.endLine();
      else if (final === 'C' || final === 'G' || final === '`' || final === 'a') this.append(' ');
      return csi[0].length;
    }
    STRING_SEQ.lastIndex = i;
    const str = STRING_SEQ.exec(s);
    if (str) return str[0].length;
    if (s[i + 1] === '[' || s[i + 1] === ']' || 'PX^_'.includes(s[i + 1] ?? '')) return 0;
    SHORT_SEQ.lastIndex = i;
    const short = SHORT_SEQ.exec(s);
    return short ? short[0].length : 0;
  }

  private append(text: string): void {
    let rest = text;
    while (this.line.length + rest.length > this.maxLine) {
      const room = this.maxLine - this.line.length;
      this.line += rest.slice(0, room);
      rest = rest.slice(room);
      this.opts.onLine(this.line, this.seen);
      this.line = this.line.slice(this.line.length - this.overlap);
      this.seen = this.line.length;
    }
    this.line += rest;
  }

  private endLine(): void {
    if (this.line.length > this.seen) this.opts.onLine(this.line, this.seen);
    this.line = '';
    this.seen = 0;
  }
}
