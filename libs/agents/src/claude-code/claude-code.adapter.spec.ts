import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignalContext } from '../types';
import { claudeCodeAdapter as sut, endsWithQuestion } from './claude-code.adapter';

// Payloads captured from Claude Code 2.1.332 driven by the fake model (libs/testing fake-model).
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '__tests__', 'fixtures', `${name}.json`), 'utf8')) as Record<string, unknown>;

function context(files: Record<string, string> = {}): SignalContext {
  const kept = new Map<string, unknown>();
  return { readFile: (p) => files[p] ?? null, state: { get: (k) => kept.get(k), set: (k, v) => kept.set(k, v) } };
}

const transcriptLine = (id: string, usage: Record<string, number>, model = 'claude-sonnet-4-5') => `${JSON.stringify({ type: 'assistant', message: { id, model, usage } })}\n`;

describe('claudeCodeAdapter', () => {
  describe('launch', () => {
    it('runs the template\'s program with the prompt from its file, values as data', () => {
      const { argv, env } = sut.launch({ program: 'claude', permissionMode: 'ask', resumeId: null, hasPrompt: true, model: null });
      expect(argv).toEqual(['sh', '-c', 'exec "$BATON_AGENT_PROGRAM" --permission-mode default "$(cat "$BATON_PROMPT_FILE")"']);
      expect(env).toEqual({});
    });

    it('resumes a conversation and picks a model through the environment, in auto mode bypassing prompts', () => {
      const { argv, env } = sut.launch({ program: 'claude', permissionMode: 'auto', resumeId: 'abc-123', hasPrompt: true, model: 'claude-sonnet-4-5' });
      expect(argv[2]).toContain('--permission-mode bypassPermissions --resume "$BATON_AGENT_RESUME_ID" --model "$BATON_AGENT_MODEL"');
      expect(env).toEqual({ BATON_AGENT_RESUME_ID: 'abc-123', BATON_AGENT_MODEL: 'claude-sonnet-4-5' });
    });
  });

  describe('prepareHome', () => {
    const input = {
      home: '/h',
      worktree: '/w/attempt-1',
      gitWritableDirs: [],
      env: { ANTHROPIC_API_KEY: 'sk-ant-api03-0123456789abcdefghijKLMNOPQRST' },
      permissionMode: 'ask' as const,
      batonCommand: "'/data/bin/baton'",
      gitAuthor: { name: 'Agent', email: 'agent@example.com' },
    };

    it('marks onboarding done, the API key approved and the worktree trusted, so no dialog blocks', () => {
      const { files, env } = sut.prepareHome(input);
      const state = JSON.parse(files.find((f) => f.path === '.claude.json')!.content) as Record<string, unknown>;
      expect(state).toMatchObject({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['ghijKLMNOPQRST'.padStart(20, 'abcdef').slice(-20)] } });
      expect(state.projects).toEqual({ '/w/attempt-1': { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } });
      expect(files.find((f) => f.path === '.claude.json')!.merge).toBe('json');
      expect(env).toMatchObject({ HOME: '/h', GIT_AUTHOR_NAME: 'Agent', GIT_COMMITTER_EMAIL: 'agent@example.com' });
      expect(env.IS_SANDBOX).toBeUndefined();
    });

    it('wires every signal to `baton hook claude-code` and keeps auto mode from asking', () => {
      const settings = JSON.parse(sut.prepareHome({ ...input, permissionMode: 'auto' }).files.find((f) => f.path === '.claude/settings.json')!.content) as {
        hooks: Record<string, { hooks: { command: string }[] }[]>;
        permissions: Record<string, string>;
        skipDangerousModePermissionPrompt: boolean;
      };
      expect(Object.keys(settings.hooks)).toEqual([...sut.signalEvents]);
      expect(settings.hooks.Stop[0].hooks[0].command).toBe("'/data/bin/baton' hook claude-code Stop");
      expect(settings.permissions).toEqual({ defaultMode: 'bypassPermissions', disableAutoMode: 'disable' });
      expect(settings.skipDangerousModePermissionPrompt).toBe(true);
      expect(sut.prepareHome({ ...input, permissionMode: 'auto' }).env.IS_SANDBOX).toBe('1');
    });
  });

  describe('translateSignal', () => {
    it('registers at SessionStart and keeps its conversation id', () => {
      expect(sut.translateSignal('SessionStart', fixture('SessionStart'), context())).toEqual([
        { kind: 'register' },
        { kind: 'conversation', id: '6bb356cf-87ac-4599-8de1-ed3ef8acb0ce' },
      ]);
    });

    it('is working from the prompt on, and again after a tool ran (which clears an answered prompt)', () => {
      expect(sut.translateSignal('UserPromptSubmit', fixture('UserPromptSubmit'), context())).toEqual([{ kind: 'status', status: 'working', message: 'prompt: Please do TURN-ONE now' }]);
      expect(sut.translateSignal('PostToolUse', fixture('PostToolUse'), context())).toEqual([{ kind: 'status', status: 'working', message: 'used Write' }]);
    });

    it('turns a permission request into needs_input naming the tool and what it would do', () => {
      const [signal] = sut.translateSignal('PermissionRequest', fixture('PermissionRequest'), context());
      expect(signal).toMatchObject({ kind: 'needs_input', reason: 'permission', permission: { tool: 'Write', detail: '/tmp/attempt/wt/hello.txt' } });
    });

    it('ignores the permission and idle notifications (the 60 s reminder is no new question)', () => {
      expect(sut.translateSignal('Notification', fixture('Notification'), context())).toEqual([]);
      expect(sut.translateSignal('Notification', { notification_type: 'idle_prompt', message: 'Claude is waiting for your input' }, context())).toEqual([]);
      expect(sut.translateSignal('Notification', { notification_type: 'elicitation_dialog', message: 'Pick one' }, context())).toEqual([{ kind: 'needs_input', reason: 'question', message: 'Pick one' }]);
    });

    it('on Stop reports the usage new since the last Stop, then idle — or needs_input when the turn ends in a question', () => {
      const path = '/t.jsonl';
      const files: Record<string, string> = { [path]: transcriptLine('m1', { input_tokens: 100, output_tokens: 20 }) + transcriptLine('m1', { input_tokens: 100, output_tokens: 50 }) };
      const ctx = context(files);
      const first = sut.translateSignal('Stop', { transcript_path: path, last_assistant_message: 'Done with turn one.' }, ctx);
      expect(first).toEqual([
        { kind: 'usage', model: 'claude-sonnet-4-5', inputTokens: 100, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: (100 * 3 + 50 * 15) / 1e6 },
        { kind: 'status', status: 'idle', message: 'finished its turn: Done with turn one.' },
      ]);
      files[path] += transcriptLine('m2', { input_tokens: 7, output_tokens: 3 }, 'claude-opus-5-5');
      const second = sut.translateSignal('Stop', { transcript_path: path, last_assistant_message: 'Which color do you prefer?' }, ctx);
      expect(second[0]).toMatchObject({ kind: 'usage', inputTokens: 7, outputTokens: 3, model: 'claude-opus-5-5', costUsd: (7 * 5 + 3 * 25) / 1e6 });
      expect(second[1]).toEqual({ kind: 'needs_input', reason: 'question', message: 'Which color do you prefer?' });
      expect(sut.translateSignal('Stop', { transcript_path: path }, ctx)).toEqual([{ kind: 'status', status: 'idle', message: 'finished its turn' }]);
    });

    it('never throws on a strange payload or an unknown event', () => {
      for (const payload of [null, 42, 'text', [], { session_id: 7, tool_input: 'x', transcript_path: {} }]) {
        for (const event of [...sut.signalEvents, 'PreCompact']) expect(() => sut.translateSignal(event, payload, context())).not.toThrow();
      }
    });
  });

  it('reads a question at the end of a turn, not a question mark inside it', () => {
    expect(endsWithQuestion('Should I also update the docs?')).toBe(true);
    expect(endsWithQuestion('Shall I go on? **')).toBe(true);
    expect(endsWithQuestion('Fixed `a?.b` in the parser.')).toBe(false);
  });
});
