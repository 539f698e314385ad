import { costOf, type TokenCounts } from '../pricing';

export interface UsageTotals extends TokenCounts {
  costUsd: number;
  model: string | null;
}

const ZERO: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, model: null };

interface TranscriptUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/**
 * Totals over a Claude Code transcript (JSONL), each reply priced by its own model. A streamed
 * reply appears on several lines with the same message id: the last line of an id counts,
 * once. Lines that are not JSON (a line being written right now) are skipped.
 */
export function claudeTranscriptTotals(jsonl: string): UsageTotals {
  const byId = new Map<string, { model: string | null; usage: TranscriptUsage }>();
  let anonymous = 0;
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let entry: { message?: { id?: string; model?: string; usage?: TranscriptUsage } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const m = entry?.message;
    if (!m || typeof m !== 'object' || !m.usage || typeof m.usage !== 'object') continue;
    byId.set(typeof m.id === 'string' ? m.id : `#${anonymous++}`, { model: typeof m.model === 'string' ? m.model : null, usage: m.usage });
  }
  const totals: UsageTotals = { ...ZERO };
  for (const { model, usage } of byId.values()) {
    const t: TokenCounts = {
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

/** What is new since `before` (never negative: a cleared transcript starts over); null when nothing is. */
export function usageSince(now: UsageTotals, before: UsageTotals | null): UsageTotals | null {
  const b = before ?? ZERO;
  const d = (x: number, y: number) => Math.max(0, x - y);
  const delta: UsageTotals = {
    inputTokens: d(now.inputTokens, b.inputTokens),
    outputTokens: d(now.outputTokens, b.outputTokens),
    cacheReadTokens: d(now.cacheReadTokens, b.cacheReadTokens),
    cacheWriteTokens: d(now.cacheWriteTokens, b.cacheWriteTokens),
    costUsd: Math.round(d(now.costUsd, b.costUsd) * 1e6) / 1e6,
    model: now.model,
  };
  const empty = delta.inputTokens + delta.outputTokens + delta.cacheReadTokens + delta.cacheWriteTokens === 0 && delta.costUsd === 0;
  return empty ? null : delta;
}
