import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterFor, type AgentId } from '@baton/agents';
import { OutputPatterns, type OutputMatch } from './output-patterns';

/*
 * The real CLIs' blocking dialogs, as their PTY bytes were recorded (libs/agents/src/__tests__/screens,
 * captured from the pinned versions with a fresh home), go through the runner's line assembly and
 * the adapter's pattern: each must come out as one `dialog` match naming the question.
 */
const SCREENS = join(__dirname, '../../../../libs/agents/src/__tests__/screens');
const NO_PATTERNS = { ready: null, success: null, error: null, quota: null, parsers: [] };

function matchesOf(agent: AgentId, screen: string): OutputMatch[] {
  const found: OutputMatch[] = [];
  const patterns = new OutputPatterns(NO_PATTERNS, { dialog: adapterFor(agent)!.blockingDialog!.source, onMatch: (m) => found.push(m) });
  const bytes = readFileSync(join(SCREENS, screen));
  // In PTY-sized pieces, so a question split across reads is still found.
  for (let at = 0; at < bytes.length; at += 512) patterns.push(bytes.subarray(at, at + 512));
  patterns.end();
  return found;
}

describe('blocking dialogs of the real CLIs', () => {
  it.each([
    ['claude-code', 'claude-code.trust.bin', /Quick safety check: Is this a project you created or one you trust/],
    ['claude-code', 'claude-code.api-key.bin', /Do you want to use this API key\?/],
    ['codex', 'codex.sign-in.bin', /Sign in with ChatGPT/],
    ['gemini', 'gemini.trust.bin', /Do you trust the files in this folder\?/],
  ] as const)('%s: %s is one dialog match with its question', (agent, screen, question) => {
    const found = matchesOf(agent, screen);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found.every((m) => m.pattern === 'dialog')).toBe(true);
    expect(found[0].text).toMatch(question);
  });

  it('a template-only session (no agent) has no dialog pattern', () => {
    const found: OutputMatch[] = [];
    const patterns = new OutputPatterns(NO_PATTERNS, { onMatch: (m) => found.push(m) });
    patterns.push(readFileSync(join(SCREENS, 'gemini.trust.bin')));
    patterns.end();
    expect(found).toEqual([]);
  });
});
