import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Tokens {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}
export interface UsageTotals extends Tokens {
  costUsd: number;
  model: string | null;
}
export const ZERO: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, model: null };

/** US dollars per million tokens: input, output, cache write, cache read. Public list prices; an estimate, not a bill. */
const PRICES: [RegExp, [number, number, number, number]][] = [
  [/opus-4-[5-9]|opus-4\.[5-9]/, [5, 25, 6.25, 0.5]],
  [/opus/, [15, 75, 18.75, 1.5]],
  [/sonnet/, [3, 15, 3.75, 0.3]],
  [/haiku-4|haiku-4\.|4-5-haiku|haiku-4-5/, [1, 5, 1.25, 0.1]],
  [/haiku/, [0.8, 4, 1, 0.08]],
];

/** What tokens of a model cost; 0 for a model the table does not know (never a guess). */
export function costOf(model: string | null, t: Tokens): number {
  const price = model ? PRICES.find(([re]) => re.test(model.toLowerCase()))?.[1] : undefined;
  if (!price) return 0;
  const [inp, out, write, read] = price;
  return (t.inputTokens * inp + t.outputTokens * out + t.cacheWriteTokens * write + t.cacheReadTokens * read) / 1e6;
}

interface TranscriptUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/**
 * Totals over a Claude Code transcript (JSONL). A streamed reply appears on several lines
 * with the same message id: the last line of an id counts, once. Lines that are not JSON
 * (a line being written right now) are skipped.
 */
export function transcriptTotals(jsonl: string): UsageTotals {
  const byId = new Map<string, { model: string | null; usage: TranscriptUsage }>();
  let anonymous = 0;
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let entry: { type?: string; message?: { id?: string; model?: string; usage?: TranscriptUsage } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const m = entry.message;
    if (!m || typeof m !== 'object' || !m.usage || typeof m.usage !== 'object') continue;
    byId.set(typeof m.id === 'string' ? m.id : `#${anonymous++}`, { model: typeof m.model === 'string' ? m.model : null, usage: m.usage });
  }
  const totals: UsageTotals = { ...ZERO };
  for (const { model, usage } of byId.values()) {
    const t: Tokens = {
      inputTokens: n(usage.input_tokens),
      outputTokens: n(usage.output_tokens),
      cacheReadTokens: n(usage.cache_read_input_tokens),
      cacheWriteTokens: n(usage.cache_creation_input_tokens),
    };
    totals.inputTokens += t.inputTokens;
    totals.outputTokens += t.outputTokens;
    totals.cacheReadTokens += t.cacheReadTokens;
    totals.cacheWriteTokens += t.cacheWriteTokens;
    totals.costUsd += costOf(model, t);
    if (model && model !== '<synthetic>') totals.model = model;
  }
  totals.costUsd = Math.round(totals.costUsd * 1e6) / 1e6;
  return totals;
}

/** What is new since `before` (never negative: a transcript that was cleared starts over). */
export function usageDelta(now: UsageTotals, before: UsageTotals): UsageTotals {
  const d = (a: number, b: number) => Math.max(0, a - b);
  return {
    inputTokens: d(now.inputTokens, before.inputTokens),
    outputTokens: d(now.outputTokens, before.outputTokens),
    cacheReadTokens: d(now.cacheReadTokens, before.cacheReadTokens),
    cacheWriteTokens: d(now.cacheWriteTokens, before.cacheWriteTokens),
    costUsd: Math.round(d(now.costUsd, before.costUsd) * 1e6) / 1e6,
    model: now.model,
  };
}

export const isZero = (u: UsageTotals) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens === 0 && u.costUsd === 0;

/** What was already reported, per transcript, so each Stop reports a delta. */
export function readReported(path: string, transcript: string): UsageTotals {
  if (!existsSync(path)) return { ...ZERO };
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, UsageTotals>;
    const t = state[transcript];
    return t ? { ...ZERO, ...t } : { ...ZERO };
  } catch {
    return { ...ZERO };
  }
}

export function writeReported(path: string, transcript: string, totals: UsageTotals): void {
  let state: Record<string, UsageTotals> = {};
  try {
    if (existsSync(path)) state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, UsageTotals>;
  } catch {
    state = {};
  }
  state[transcript] = totals;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, path);
}
