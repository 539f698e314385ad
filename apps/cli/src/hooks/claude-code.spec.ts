import { mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepted, baton, FakeApi } from '../__tests__/fake-ctx';
import { SessionApi } from '../sessions/session-api';
import { costOf, transcriptTotals, usageDelta, ZERO } from './claude-usage';
import { handleClaudeHook, parseHookInput } from './claude-code';

const line = (id: string, usage: Record<string, number>, model = 'claude-sonnet-4-5') => `${JSON.stringify({ type: 'assistant', message: { id, model, usage } })}\n`;

describe(transcriptTotals.name, () => {
  it('counts each message once (its last line), skipping lines that are not JSON', () => {
    const jsonl =
      line('m1', { input_tokens: 10, output_tokens: 1 }) +
      line('m1', { input_tokens: 10, output_tokens: 50, cache_read_input_tokens: 1000 }) +
      '{"partial": \n' +
      JSON.stringify({ type: 'user', message: { role: 'user', content: 'hi' } }) +
      '\n' +
      line('m2', { input_tokens: 5, output_tokens: 5, cache_creation_input_tokens: 100 });
    const sut = transcriptTotals(jsonl);
    expect(sut).toMatchObject({ inputTokens: 15, outputTokens: 55, cacheReadTokens: 1000, cacheWriteTokens: 100, model: 'claude-sonnet-4-5' });
    expect(sut.costUsd).toBeCloseTo((15 * 3 + 55 * 15 + 100 * 3.75 + 1000 * 0.3) / 1e6, 9);
  });

  it('prices only models it knows', () => {
    expect(costOf('claude-opus-4-1', { inputTokens: 1e6, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 })).toBe(15);
    expect(costOf('some-other-model', { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 })).toBe(0);
  });

  it('reports deltas, never negative', () => {
    const before = { ...ZERO, inputTokens: 10, costUsd: 0.5 };
    expect(usageDelta({ ...ZERO, inputTokens: 25, costUsd: 0.75, model: 'm' }, before)).toEqual({ ...ZERO, inputTokens: 15, costUsd: 0.25, model: 'm' });
    expect(usageDelta(ZERO, before)).toEqual(ZERO);
  });
});

describe(handleClaudeHook.name, () => {
  const env = () => ({ BATON_SESSION_DIR: mkdtempSync(join(tmpdir(), 'baton-hook-')) });

  it('registers at start, works on a prompt, needs input on a notification', async () => {
    const api = new FakeApi();
    const sut = new SessionApi(api);
    await handleClaudeHook(sut, {}, 'S1', 'SessionStart', { source: 'startup' });
    await handleClaudeHook(sut, {}, 'S1', 'SessionStart', { source: 'resume' });
    await handleClaudeHook(sut, {}, 'S1', 'UserPromptSubmit', { prompt: 'fix\nthe bug' });
    await handleClaudeHook(sut, {}, 'S1', 'Notification', { message: 'Claude needs your permission to use Bash' });
    expect(api.calls.map((c) => [c.path, c.body])).toEqual([
      ['/api/sessions/S1/register', { agent: 'claude-code' }],
      ['/api/sessions/S1/status', { status: 'idle', message: 'claude-code session resume' }],
      ['/api/sessions/S1/status', { status: 'working', message: 'prompt: fix the bug' }],
      ['/api/sessions/S1/reports', { kind: 'needs_input', message: 'Claude needs your permission to use Bash' }],
    ]);
  });

  it('on Stop reports what the transcript spent since the last Stop, then idle', async () => {
    const e = env();
    const transcript = join(e.BATON_SESSION_DIR, 't.jsonl');
    writeFileSync(transcript, line('m1', { input_tokens: 100, output_tokens: 20 }));
    const api = new FakeApi();
    await handleClaudeHook(new SessionApi(api), e, 'S1', 'Stop', { transcript_path: transcript });
    appendFileSync(transcript, line('m2', { input_tokens: 7, output_tokens: 3 }));
    await handleClaudeHook(new SessionApi(api), e, 'S1', 'Stop', { transcript_path: transcript });
    await handleClaudeHook(new SessionApi(api), e, 'S1', 'Stop', { transcript_path: transcript });
    const usage = api.calls.filter((c) => c.path.endsWith('/usage')).map((c) => c.body);
    expect(usage).toEqual([
      expect.objectContaining({ inputTokens: 100, outputTokens: 20, model: 'claude-sonnet-4-5' }),
      expect.objectContaining({ inputTokens: 7, outputTokens: 3 }),
    ]);
    expect(api.calls.filter((c) => c.path.endsWith('/status'))).toHaveLength(3);
  });

  it('reads broken hook input as nothing', () => {
    expect(parseHookInput('not json')).toEqual({});
    expect(parseHookInput('[1]')).toEqual({});
  });
});

describe('baton hook claude-code', () => {
  it('exits 0 and prints nothing on stdout, even when Baton refuses or the event is unknown', async () => {
    const refused = await baton(['hook', 'claude-code', 'Stop'], () => {
      throw new Error('HTTP 503');
    }, { env: { BATON_SESSION_ID: 'S1' }, stdin: '{}' });
    expect(refused).toMatchObject({ code: 0, stdout: '', stderr: expect.stringMatching(/Stop: HTTP 503/) });
    const unknown = await baton(['hook', 'claude-code', 'PreCompact'], undefined, { env: { BATON_SESSION_ID: 'S1' } });
    expect(unknown).toMatchObject({ code: 0, stdout: '', calls: [] });
    const ok = await baton(['hook', 'claude-code', 'userpromptsubmit'], () => accepted('S1'), { env: { BATON_SESSION_ID: 'S1' }, stdin: '{"prompt":"go"}' });
    expect(ok).toMatchObject({ code: 0, stdout: '' });
    expect(ok.calls[0]).toMatchObject({ path: '/api/sessions/S1/status', body: { status: 'working' } });
  });
});
