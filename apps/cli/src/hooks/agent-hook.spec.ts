import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeCodeAdapter } from '@baton/agents';
import { accepted, baton, FakeApi } from '../__tests__/fake-ctx';
import { SessionApi } from '../sessions/session-api';
import { handleAgentSignal, needsInputText, parsePayload } from './agent-hook';

describe(handleAgentSignal.name, () => {
  const env = () => ({ BATON_SESSION_DIR: mkdtempSync(join(tmpdir(), 'baton-hook-')), BATON_AGENT_HOME: mkdtempSync(join(tmpdir(), 'baton-home-')) });

  it('registers with the conversation id and keeps it in the agent home for the next session', async () => {
    const api = new FakeApi();
    const e = env();
    await handleAgentSignal(new SessionApi(api), e, 'S1', claudeCodeAdapter, 'SessionStart', { session_id: 'conv-1', source: 'startup' });
    expect(api.calls.map((c) => [c.path, c.body])).toEqual([['/api/sessions/S1/register', { agent: 'claude-code', conversationId: 'conv-1' }]]);
    expect(JSON.parse(readFileSync(join(e.BATON_AGENT_HOME, '.baton-agent.json'), 'utf8'))).toEqual({ agent: 'claude-code', conversationId: 'conv-1' });
  });

  it('reports a permission request as needs_input and a finished turn as idle', async () => {
    const api = new FakeApi();
    const sut = new SessionApi(api);
    await handleAgentSignal(sut, env(), 'S1', claudeCodeAdapter, 'PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'git commit -m x' } });
    await handleAgentSignal(sut, env(), 'S1', claudeCodeAdapter, 'PostToolUse', { tool_name: 'Bash' });
    await handleAgentSignal(sut, env(), 'S1', claudeCodeAdapter, 'Stop', { last_assistant_message: 'All done.' });
    expect(api.calls.map((c) => c.body)).toEqual([
      { status: 'needs_input', message: 'Claude Code asks to use Bash: git commit -m x' },
      { status: 'working', message: 'used Bash' },
      { status: 'idle', message: 'finished its turn: All done.' },
    ]);
  });

  it("shows a permission prompt as the tool and what it would do, whatever the agent's own words", () => {
    const sut = needsInputText({ displayName: 'Gemini CLI' }, { kind: 'needs_input', reason: 'permission', message: 'Tool Confirm Shell Command requires execution', permission: { tool: 'run_shell_command', detail: 'git add a &&\n git commit' } });
    expect(sut).toBe('Gemini CLI asks to use run_shell_command: git add a && git commit');
    expect(needsInputText({ displayName: 'X' }, { kind: 'needs_input', reason: 'question', message: 'Which one?' })).toBe('Which one?');
  });

  it('reads broken payloads as nothing', () => {
    expect(parsePayload('not json')).toEqual({});
    expect(parsePayload('')).toEqual({});
  });
});

describe('baton hook', () => {
  it('exits 0 and prints nothing on stdout, even when Baton refuses or the event is unknown', async () => {
    const refused = await baton(['hook', 'claude-code', 'Stop'], () => {
      throw new Error('HTTP 503');
    }, { env: { BATON_SESSION_ID: 'S1' }, stdin: '{"last_assistant_message":"ok"}' });
    expect(refused).toMatchObject({ code: 0, stdout: '', stderr: expect.stringMatching(/Stop: HTTP 503/) });
    const unknown = await baton(['hook', 'claude-code', 'PreCompact'], undefined, { env: { BATON_SESSION_ID: 'S1' } });
    expect(unknown).toMatchObject({ code: 0, stdout: '', calls: [] });
    const agent = await baton(['hook', 'no-such-agent', 'Stop'], undefined, { env: { BATON_SESSION_ID: 'S1' } });
    expect(agent).toMatchObject({ code: 0, stdout: '', calls: [], stderr: expect.stringMatching(/unknown agent/) });
    const ok = await baton(['hook', 'claude-code', 'userpromptsubmit'], () => accepted('S1'), { env: { BATON_SESSION_ID: 'S1' }, stdin: '{"prompt":"go"}' });
    expect(ok).toMatchObject({ code: 0, stdout: '' });
    expect(ok.calls[0]).toMatchObject({ path: '/api/sessions/S1/status', body: { status: 'working' } });
  });

  it('takes the payload as its last argument when the agent passes it that way', async () => {
    const ok = await baton(['hook', 'claude-code', 'UserPromptSubmit', '{"prompt":"from argv"}'], () => accepted('S1'), { env: { BATON_SESSION_ID: 'S1' } });
    expect(ok.calls[0]).toMatchObject({ body: { status: 'working', message: 'prompt: from argv' } });
  });
});
