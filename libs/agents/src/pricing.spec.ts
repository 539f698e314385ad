import { costOf, priceOf } from './pricing';

describe(priceOf.name, () => {
  it.each([
    ['claude-opus-4-5-20251101', 5],
    ['claude-opus-4.6', 5],
    ['claude-opus-5-5', 5],
    ['claude-opus-4-1', 15],
    ['claude-sonnet-4-5-20250929', 3],
    ['claude-haiku-4-5', 1],
    ['claude-3-5-haiku-latest', 0.8],
    ['sonnet', 3],
    ['gpt-5.1-codex', 1.25],
    ['gpt-5-mini', 0.25],
    ['gemini-2.5-pro', 1.25],
    ['gemini-2.5-flash', 0.3],
  ])('prices %s at $%s per million input tokens', (model, input) => {
    expect(priceOf(model)?.[0]).toBe(input);
  });

  it('knows no price for a model it does not know, and charges nothing for it', () => {
    expect(priceOf('some-local-llama')).toBeNull();
    expect(costOf('some-local-llama', { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 })).toBe(0);
  });
});
