import type { OutputPatternKind, RunnerStart } from '@baton/events';
import { TerminalLines } from './terminal-lines';

/** `dialog`: the agent's adapter knows this screen as one Baton cannot pass (libs/agents `blockingDialog`). */
export type PatternKind = OutputPatternKind;

/** The data of `session.record_output_match`, less the session and runner. */
export interface OutputMatch {
  pattern: PatternKind;
  /** The parser's name when `pattern` is `parser`. */
  parser: string | null;
  text: string;
  groups: Record<string, string>;
}

export interface OutputPatternsOptions {
  onMatch(match: OutputMatch): void;
  /** A real agent's blocking-dialog pattern (regex source), matched like the template's. */
  dialog?: string | null;
  /** An unfinished line (a prompt) is matched once output pauses this long. */
  idleMs?: number;
  /** The same text from the same pattern within this window is one match (TUIs redraw). */
  dedupeMs?: number;
  /** Per pattern: at most `burst` matches at once, then one per `refillMs`. */
  burst?: number;
  refillMs?: number;
  now?: () => number;
}

export interface OutputPatternStats {
  matched: number;
  reported: number;
  /** Dropped by de-duplication or the rate limit. */
  suppressed: number;
}

interface Compiled {
  key: string;
  kind: PatternKind;
  parser: string | null;
  regex: RegExp;
  /** ready is reported once per run; the others as often as the rate limit allows. */
  once: boolean;
  tokens: number;
  refilledAt: number;
  fired: boolean;
  recent: Map<string, number>;
}

const MAX_TEXT = 4_000;
const MAX_GROUP_VALUE = 1_000;
const MAX_RECENT = 64;

/**
 * A session's ready/success/error/quota patterns and output parsers, applied to its
 * decoded, escape-free output line by line. Matches split across PTY chunks are found
 * because lines are assembled first; each pattern reports at most once per line.
 */
export class OutputPatterns {
  readonly stats: OutputPatternStats = { matched: 0, reported: 0, suppressed: 0 };
  private readonly compiled: Compiled[];
  private readonly lines: TerminalLines | null;
  private readonly now: () => number;
  private readonly idleMs: number;
  private readonly dedupeMs: number;
  private readonly burst: number;
  private readonly refillMs: number;
  private idleTimer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    spec: RunnerStart['patterns'],
    private readonly opts: OutputPatternsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.idleMs = opts.idleMs ?? 200;
    this.dedupeMs = opts.dedupeMs ?? 5_000;
    this.burst = opts.burst ?? 5;
    this.refillMs = opts.refillMs ?? 1_000;
    const at = this.now();
    const make = (kind: PatternKind, source: string, parser: string | null = null): Compiled => ({
      key: parser ? `parser:${parser}` : kind,
      kind,
      parser,
      regex: new RegExp(source, 'g'),
      once: kind === 'ready',
      tokens: this.burst,
      refilledAt: at,
      fired: false,
      recent: new Map(),
    });
    this.compiled = [
      ...(['ready', 'success', 'error', 'quota'] as const).flatMap((k) => (spec[k] ? [make(k, spec[k])] : [])),
      ...spec.parsers.map((p) => make('parser', p.pattern, p.name)),
      ...(opts.dialog ? [make('dialog', opts.dialog)] : []),
    ];
    this.lines = this.compiled.length > 0 ? new TerminalLines({ onLine: (line, seen) => this.match(line, seen) }) : null;
  }

  push(data: Uint8Array): void {
    if (!this.lines || this.ended) return;
    this.lines.push(data);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.lines?.peek();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** The output ended: the last line is matched now. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.lines?.end();
  }

  private match(line: string, seen: number): void {
    for (const p of this.compiled) {
      if (p.once && p.fired) continue;
      const m = firstMatchEndingAfter(p.regex, line, seen);
      if (!m) continue;
      this.stats.matched++;
      const text = line.trim().slice(0, MAX_TEXT);
      if (!this.admit(p, text)) {
        this.stats.suppressed++;
        continue;
      }
      p.fired = true;
      this.stats.reported++;
      this.opts.onMatch({ pattern: p.kind, parser: p.parser, text, groups: groupsOf(m) });
    }
  }

  private admit(p: Compiled, text: string): boolean {
    const now = this.now();
    const last = p.recent.get(text);
    if (last !== undefined && now - last < this.dedupeMs) return false;
    const refill = Math.floor((now - p.refilledAt) / this.refillMs);
    if (refill > 0) {
      p.tokens = Math.min(this.burst, p.tokens + refill);
      p.refilledAt += refill * this.refillMs;
    }
    if (p.tokens <= 0) return false;
    p.tokens--;
    p.recent.delete(text);
    p.recent.set(text, now);
    if (p.recent.size > MAX_RECENT) p.recent.delete(p.recent.keys().next().value as string);
    return true;
  }
}

/** The first non-empty match that ends beyond `seen` (characters matched against before). */
function firstMatchEndingAfter(regex: RegExp, line: string, seen: number): RegExpExecArray | null {
  regex.lastIndex = 0;
  for (let m = regex.exec(line); m; m = regex.exec(line)) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    if (m.index + m[0].length > seen) return m;
  }
  return null;
}

function groupsOf(m: RegExpExecArray): Record<string, string> {
  const groups: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.groups ?? {})) {
    if (value !== undefined) groups[name.slice(0, 64)] = value.trim().slice(0, MAX_GROUP_VALUE);
  }
  return groups;
}
