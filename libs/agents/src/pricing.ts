/*
 * The one price table (US dollars per million tokens: input, output, cache write, cache read).
 * Public list prices; an estimate, not a bill — an agent's own reported cost always wins.
 * Keyed by model family and version, newest first, so a dated or suffixed id
 * (`claude-sonnet-4-5-20250929`, `gpt-5.1-codex-max`, `gemini-2.5-pro-preview`) finds its row
 * and an unknown model costs 0 (never a guess from a family's oldest price).
 */
export type Price = readonly [input: number, output: number, cacheWrite: number, cacheRead: number];

const PRICES: readonly (readonly [RegExp, Price])[] = [
  // Anthropic: versions written 4-5, 4.5 or 45 in ids and aliases.
  [/opus-(?:[5-9]|4[-.]?[5-9])/, [5, 25, 6.25, 0.5]],
  [/opus/, [15, 75, 18.75, 1.5]],
  [/sonnet/, [3, 15, 3.75, 0.3]],
  [/3[-.]5-haiku|haiku-3[-.]5/, [0.8, 4, 1, 0.08]],
  [/haiku-[4-9]|[4-9](?:[-.][0-9])?-haiku/, [1, 5, 1.25, 0.1]],
  [/haiku/, [0.25, 1.25, 0.3, 0.03]],
  // OpenAI (cache writes are not billed separately).
  [/gpt-5[-.\d]*-?(?:codex-)?mini/, [0.25, 2, 0, 0.025]],
  [/gpt-5[-.\d]*-?nano/, [0.05, 0.4, 0, 0.005]],
  [/gpt-5/, [1.25, 10, 0, 0.125]],
  [/gpt-4\.1-mini/, [0.4, 1.6, 0, 0.1]],
  [/gpt-4\.1/, [2, 8, 0, 0.5]],
  [/o4-mini|codex-mini/, [1.1, 4.4, 0, 0.275]],
  // Google.
  [/gemini-[3-9][-.\d]*-pro/, [2, 12, 0, 0.2]],
  [/gemini-[3-9][-.\d]*-flash/, [0.5, 3, 0, 0.05]],
  [/gemini-2\.5-pro/, [1.25, 10, 0, 0.125]],
  [/gemini-2\.5-flash-lite/, [0.1, 0.4, 0, 0.01]],
  [/gemini-2\.5-flash/, [0.3, 2.5, 0, 0.03]],
];

/** Short names operators and agents use for the same models. */
const ALIASES: Readonly<Record<string, string>> = {
  opus: 'claude-opus-4-5',
  sonnet: 'claude-sonnet-4-5',
  haiku: 'claude-haiku-4-5',
};

export function priceOf(model: string | null): Price | null {
  if (!model) return null;
  const id = model.toLowerCase().trim();
  const key = ALIASES[id] ?? id;
  return PRICES.find(([re]) => re.test(key))?.[1] ?? null;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** What tokens of a model cost; 0 for a model the table does not know. */
export function costOf(model: string | null, t: TokenCounts): number {
  const price = priceOf(model);
  if (!price) return 0;
  const [inp, out, write, read] = price;
  return Math.round(((t.inputTokens * inp + t.outputTokens * out + t.cacheWriteTokens * write + t.cacheReadTokens * read) / 1e6) * 1e6) / 1e6;
}
