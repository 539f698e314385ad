import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHomeInput, AgentSignal, SignalContext } from '../types';
import { codexAdapter as sut } from './codex.adapter';
import { sumTokenCounts } from './codex.signals';

// Payloads captured from Codex CLI 0.171.0 driven by the fake model (libs/agents/src/codex/__tests__/probe.mjs).
const FIXTURES = join(__dirname, '__tests__', 'fixtures');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
const ROLLOUT = readFileSync(join(FIXTURES, 'rollout.token-counts.jsonl'), 'utf8');

function context(files: Record<string, string> = {}): SignalContext {
  const kept = new Map<string, unknown>();
  return { readFile: (p) => files[p] ?? null, state: { get: (k) => kept.get(k), set: (k, v) => kept.set(k, v) } };
}
const kinds = (signals: AgentSignal[]) => signals.map((s) => (s.kind === 'status' ? `status:${s.status}` : s.kind === 'needs_input' ? `needs_input:${s.reason}` : s.kind));

describe(sut.launch.name, () => {
  it('starts a session with the prompt from its file, hooks trusted, no daemon, sandboxed', () => {
    const { argv, env } = sut.launch({ program: 'codex', permissionMode: 'ask', resumeId: null, hasPrompt: true, model: null });
    expect(argv).toEqual(['sh', '-c', 'exec "$BATON_AGENT_PROGRAM" --no-daemon --dangerously-bypass-hook-trust --sandbox workspace-write --ask-for-approval on-request -- "$(cat "$BATON_PROMPT_FILE")"']);
    expect(env).toEqual({});
  });

  it('resumes by id with a model in auto mode, values through the environment', () => {
    const { argv, env } = sut.launch({ program: '/opt/codex', permissionMode: 'auto', resumeId: '01a250b7-98b8-75d0-9b9e-8ef7554f4e88', hasPrompt: true, model: 'gpt-5.1-codex' });
    expect(argv[2]).toBe('exec "$BATON_AGENT_PROGRAM" resume --no-daemon --dangerously-bypass-hook-trust --sandbox workspace-write --ask-for-approval never --model "$BATON_AGENT_MODEL" -- "$BATON_AGENT_RESUME_ID" "$(cat "$BATON_PROMPT_FILE")"');
    expect(env).toEqual({ BATON_AGENT_MODEL: 'gpt-5.1-codex', BATON_AGENT_RESUME_ID: '01a250b7-98b8-75d0-9b9e-8ef7554f4e88' });
  });

  it('execs the program directly when there is no prompt, the id after `--`', () => {
    const { argv } = sut.launch({ program: '/opt/codex', permissionMode: 'auto', resumeId: '-rf', hasPrompt: false, model: '$(x)' });
    expect(argv).toEqual(['/opt/codex', 'resume', '--no-daemon', '--dangerously-bypass-hook-trust', '--sandbox', 'workspace-write', '--ask-for-approval', 'never', '--model', '$(x)', '--', '-rf']);
  });
});

describe(sut.prepareHome.name, () => {
  const input: AgentHomeInput = {
    home: '/h',
    worktree: '/w/repo-wt',
    gitWritableDirs: ['/w/repo/.git/worktrees/repo-wt', '/w/repo/.git'],
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1' },
    permissionMode: 'ask',
    batonCommand: "'/data/bin/baton'",
    gitAuthor: { name: 'Agent', email: 'agent@example.com' },
  };

  it('points Codex at the operator endpoint, trusts the worktree, keeps the daemon off, lets git write', () => {
    const { files, env } = sut.prepareHome(input);
    const config = files.find((f) => f.path === '.codex/config.toml')!.content;
    expect(config).toContain('model_provider = "baton"');
    expect(config).toContain('base_url = "http://127.0.0.1:9999/v1"');
    expect(config).toContain('env_key = "OPENAI_API_KEY"');
    expect(config).toContain('wire_api = "responses"');
    expect(config).toContain('requires_openai_auth = false');
    expect(config).toContain('approval_policy = "on-request"');
    expect(config).toContain('writable_roots = ["/w/repo/.git/worktrees/repo-wt", "/w/repo/.git"]');
    expect(config).toContain('daemon_auto_start = false');
    expect(config).toContain('[projects."/w/repo-wt"]\ntrust_level = "trusted"');
    expect(env).toEqual({ HOME: '/h', CODEX_HOME: '/h/.codex', GIT_AUTHOR_NAME: 'Agent', GIT_AUTHOR_EMAIL: 'agent@example.com', GIT_COMMITTER_NAME: 'Agent', GIT_COMMITTER_EMAIL: 'agent@example.com' });
  });

  it('defaults to the OpenAI endpoint and never asks in auto mode; a path with quotes stays one TOML string', () => {
    const config = sut.prepareHome({ ...input, env: {}, permissionMode: 'auto', worktree: '/w/a "b"' }).files[0].content;
    expect(config).toContain('base_url = "https://api.openai.com/v1"');
    expect(config).toContain('approval_policy = "never"');
    expect(config).toContain('[projects."/w/a \\"b\\""]');
  });

  it('wires every signal event to `baton hook codex <Event>`', () => {
    const hooks = JSON.parse(sut.prepareHome(input).files.find((f) => f.path === '.codex/hooks.json')!.content) as { hooks: Record<string, { hooks: { type: string; command: string }[] }[]> };
    expect(Object.keys(hooks.hooks)).toEqual([...sut.signalEvents]);
    expect(hooks.hooks.Stop[0].hooks[0]).toMatchObject({ type: 'command', command: "'/data/bin/baton' hook codex Stop" });
  });
});

describe(sut.translateSignal.name, () => {
  it('registers with the conversation id at session start', () => {
    expect(sut.translateSignal('SessionStart', fixture('session-start.startup'), context())).toEqual([{ kind: 'register' }, { kind: 'conversation', id: '01a250b7-98b8-75d0-9b9e-8ef7554f4e88' }]);
  });

  it('is working after a prompt and around tools', () => {
    const ctx = context();
    expect(kinds(sut.translateSignal('UserPromptSubmit', fixture('user-prompt-submit'), ctx))).toEqual(['conversation', 'status:working']);
    const pre = sut.translateSignal('PreToolUse', fixture('pre-tool-use'), ctx);
    expect(pre).toEqual([{ kind: 'status', status: 'working', message: expect.stringContaining('Bash: mkdir -p') as string }]);
    expect(kinds(sut.translateSignal('PostToolUse', fixture('post-tool-use'), ctx))).toEqual(['status:working']);
  });

  it('asks for permission with tool and command, then reports the answer once Codex moves on', () => {
    const ctx = context();
    const [ask] = sut.translateSignal('PermissionRequest', fixture('permission-request'), ctx);
    expect(ask).toMatchObject({ kind: 'needs_input', reason: 'permission', permission: { tool: 'Bash', detail: 'touch /var/tmp/baton-codex-probe-VfAUww/asked.txt' } });
    expect(kinds(sut.translateSignal('PostToolUse', fixture('post-tool-use'), ctx))).toEqual(['input_answered', 'status:working']);
    expect(kinds(sut.translateSignal('PostToolUse', fixture('post-tool-use'), ctx))).toEqual(['status:working']);
  });

  it('is idle after a turn, or needs_input(question) when the turn ends asking', () => {
    expect(kinds(sut.translateSignal('Stop', fixture('stop.idle'), context()))).toEqual(['conversation', 'status:idle']);
    const [, question] = sut.translateSignal('Stop', fixture('stop.question'), context());
    expect(question).toEqual({ kind: 'needs_input', reason: 'question', message: 'Which file should I edit next?' });
  });

  it('reports the usage written to the rollout since the last read, once', () => {
    const stop = fixture('stop.idle');
    const ctx = context({ [String(stop.transcript_path)]: ROLLOUT });
    const usage = sut.translateSignal('Stop', stop, ctx).filter((s) => s.kind === 'usage');
    expect(usage).toEqual([{ kind: 'usage', model: 'fake-model', inputTokens: 3360, outputTokens: 240, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null }]);
    expect(sut.translateSignal('Stop', stop, ctx).filter((s) => s.kind === 'usage')).toEqual([]);
  });

  it('does not report again what a resumed rollout already held', () => {
    const start = fixture('session-start.resume');
    const ctx = context({ [String(start.transcript_path)]: ROLLOUT });
    sut.translateSignal('SessionStart', start, ctx);
    expect(sut.translateSignal('Stop', fixture('stop.idle'), ctx).filter((s) => s.kind === 'usage')).toEqual([]);
  });

  it('keeps cached input apart from fresh input', () => {
    const line = JSON.stringify({ type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: { input_tokens: 100, cached_input_tokens: 60, output_tokens: 5 } } } });
    expect(sumTokenCounts(`${line}\n${line}\nnot json "token_count"\n`)).toEqual({ input: 200, cached: 120, cacheWrite: 0, output: 10 });
  });

  it.each([
    ['Stop', null],
    ['Stop', 'text'],
    ['Stop', { transcript_path: 42, last_assistant_message: ['x'] }],
    ['PermissionRequest', { tool_input: 'rm -rf /' }],
    ['PreToolUse', { tool_input: { nested: { deep: true } } }],
    ['SessionStart', []],
    ['Unknown', { session_id: 'x' }],
  ])('never throws on a strange %s payload %j', (event, payload) => {
    expect(() => sut.translateSignal(event, payload, context({ '42': 'garbage' }))).not.toThrow();
  });
});
