import type { SignalContext } from '../types';

/*
 * Usage and the last answer from Gemini CLI's own session transcript (`transcript_path` in every hook payload):
 * JSONL, the first line the session metadata, then message records (a record whose `id` repeats
 * replaces the earlier one) and `{"$set": …}` updates (`messages` there replaces the history). Each `gemini` message carries
 * `tokens: {input, output, cached, thoughts, tool, total}` from the API's usageMetadata. Older
 * versions wrote one JSON object with `messages`. Gemini CLI reports no cost.
 */

export interface GeminiUsageTotals {
  model: string | null;
  input: number;
  output: number;
  cacheRead: number;
}

const REPORTED = 'gemini.usageReported';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return null;
  }
}

function messagesOf(text: string): Record<string, unknown>[] {
  const whole = text.trimStart().startsWith('{') && !text.includes('\n{') ? parseLine(text) : null;
  if (isRecord(whole) && Array.isArray(whole['messages'])) return whole['messages'].filter(isRecord);
  const byId = new Map<string, Record<string, unknown>>();
  const keep = (rec: Record<string, unknown>) => byId.set(typeof rec['id'] === 'string' ? rec['id'] : `#${byId.size}`, rec);
  for (const line of text.split('\n')) {
    const rec = parseLine(line);
    if (!isRecord(rec)) continue;
    // `{"$set": {"messages": [...]}}` replaces the whole history (start, rewind, compression).
    const set = rec['$set'];
    if (isRecord(set) && Array.isArray(set['messages'])) {
      byId.clear();
      set['messages'].filter(isRecord).forEach(keep);
    } else if (typeof rec['type'] === 'string') keep(rec);
  }
  return [...byId.values()];
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p) => (isRecord(p) && typeof p['text'] === 'string' && !p['thought'] ? p['text'] : '')).join('')
      : '';

/** The text of the model's last answer (clean, unlike the hook's chunk-joined `prompt_response`); null unless the history ends with one. */
export function lastReply(text: string | null): string | null {
  if (!text) return null;
  const turns = messagesOf(text).filter((m) => m['type'] === 'gemini' || m['type'] === 'user');
  const last = turns[turns.length - 1];
  const content = last && last['type'] === 'gemini' ? textOf(last['content']).trim() : '';
  return content || null;
}

/**
 * Every token the session's model responses used; null when it cannot be read. Counted over every
 * `gemini` record with `tokens` in the file (by id), not the current history: a history rewrite
 * (a cancelled tool call, a rewind) drops messages whose tokens were still spent.
 */
export function transcriptUsage(text: string | null): GeminiUsageTotals | null {
  if (!text) return null;
  const whole = messagesOf(text);
  const byId = new Map<string, Record<string, unknown>>();
  const lines = text.trimStart().startsWith('{') && !text.includes('\n{') ? [] : text.split('\n').map(parseLine).filter(isRecord);
  for (const m of lines.length ? lines : whole) {
    if (m['type'] === 'gemini' && isRecord(m['tokens'])) byId.set(typeof m['id'] === 'string' ? m['id'] : `#${byId.size}`, m);
  }
  const totals: GeminiUsageTotals = { model: null, input: 0, output: 0, cacheRead: 0 };
  for (const m of byId.values()) {
    const t = m['tokens'] as Record<string, unknown>;
    const cached = num(t['cached']);
    totals.input += Math.max(0, num(t['input']) - cached) + num(t['tool']);
    totals.cacheRead += cached;
    totals.output += num(t['output']) + num(t['thoughts']);
    if (typeof m['model'] === 'string' && m['model']) totals.model = m['model'];
  }
  return totals;
}

function reported(ctx: SignalContext): GeminiUsageTotals {
  const r = ctx.state.get(REPORTED);
  return isRecord(r) ? { model: null, input: num(r['input']), output: num(r['output']), cacheRead: num(r['cacheRead']) } : { model: null, input: 0, output: 0, cacheRead: 0 };
}

/** Takes what the transcript holds now as reported, once per Baton session (a resumed conversation's earlier turns). */
export function ensureUsageBaseline(transcriptPath: string, ctx: SignalContext): void {
  if (isRecord(ctx.state.get(REPORTED))) return;
  const now = transcriptPath ? transcriptUsage(ctx.readFile(transcriptPath)) : null;
  ctx.state.set(REPORTED, { input: now?.input ?? 0, output: now?.output ?? 0, cacheRead: now?.cacheRead ?? 0 });
}

/** Usage not reported yet (and marks it reported); null when there is none. */
export function usageSince(transcriptPath: string, ctx: SignalContext): GeminiUsageTotals | null {
  if (!transcriptPath) return null;
  const now = transcriptUsage(ctx.readFile(transcriptPath));
  if (!now) return null;
  const before = reported(ctx);
  // Another transcript (/clear starts a new session file): start counting from here.
  if (now.input < before.input || now.output < before.output || now.cacheRead < before.cacheRead) {
    ctx.state.set(REPORTED, now);
    return null;
  }
  const delta = { model: now.model, input: now.input - before.input, output: now.output - before.output, cacheRead: now.cacheRead - before.cacheRead };
  if (!delta.input && !delta.output && !delta.cacheRead) return null;
  ctx.state.set(REPORTED, { input: now.input, output: now.output, cacheRead: now.cacheRead });
  return delta;
}
