import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHomeInput, AgentSignal, SignalContext } from '../types';
import { opencodeAdapter as sut } from './opencode.adapter';
import { opencodePluginSource, SUBMIT_ENV } from './opencode.plugin';

// Payloads captured from OpenCode 1.18.33 driven by the fake model (see __tests__/probe.mjs).
const FIXTURES = join(__dirname, '__tests__', 'fixtures');
const fixture = (name: string): { event: string; payload: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as { event: string; payload: Record<string, unknown> };

function context(): SignalContext {
  const kept = new Map<string, unknown>();
  return { readFile: () => null, state: { get: (k) => kept.get(k), set: (k, v) => kept.set(k, v) } };
}
const translate = (name: string, ctx = context()): AgentSignal[] => {
  const f = fixture(name);
  return sut.translateSignal(f.event, f.payload, ctx);
};

const homeInput = (over: Partial<AgentHomeInput> = {}): AgentHomeInput => ({
  home: '/h',
  worktree: '/w/attempt-1',
  gitWritableDirs: ['/r/.git/worktrees/attempt-1', '/r/.git'],
  env: { OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
  permissionMode: 'ask',
  batonCommand: `'/usr/bin/node' '/opt/baton/cli.js'`,
  gitAuthor: { name: 'Agent', email: 'agent@example.com' },
  ...over,
});

describe('opencodeAdapter', () => {
  describe('launch', () => {
    it('starts the TUI with the first prompt from its file and the model on Baton\'s provider, values as data', () => {
      const { argv, env } = sut.launch({ program: 'opencode', permissionMode: 'ask', resumeId: null, hasPrompt: true, model: 'gpt-5' });
      expect(argv).toEqual(['sh', '-c', 'exec "$BATON_AGENT_PROGRAM" --model="$BATON_AGENT_MODEL" --prompt="$(cat "$BATON_PROMPT_FILE")"']);
      expect(env).toEqual({ BATON_AGENT_MODEL: 'baton/gpt-5', BATON_OPENCODE_MODEL: 'gpt-5' });
    });

    it('auto mode adds --auto; no prompt, no --prompt; no model: the default model', () => {
      const { argv, env } = sut.launch({ program: 'opencode', permissionMode: 'auto', resumeId: null, hasPrompt: false, model: null });
      expect(argv[2]).toBe('exec "$BATON_AGENT_PROGRAM" --model="$BATON_AGENT_MODEL" --auto');
      expect(env.BATON_AGENT_MODEL).toBe('baton/gpt-4.1');
    });

    it('a provider-qualified model goes to OpenCode\'s own provider as is', () => {
      expect(sut.launch({ program: 'opencode', permissionMode: 'ask', resumeId: null, hasPrompt: false, model: 'anthropic/claude-sonnet-4-5' }).env.BATON_AGENT_MODEL).toBe('anthropic/claude-sonnet-4-5');
    });

    it('resumes by session id; the prompt goes through the plugin (the TUI ignores --prompt with --session)', () => {
      const { argv, env } = sut.launch({ program: 'opencode', permissionMode: 'ask', resumeId: 'ses_abc', hasPrompt: true, model: null });
      expect(argv[2]).toBe('exec "$BATON_AGENT_PROGRAM" --model="$BATON_AGENT_MODEL" --session="$BATON_AGENT_RESUME_ID"');
      expect(env).toMatchObject({ BATON_AGENT_RESUME_ID: 'ses_abc', [SUBMIT_ENV]: 'ses_abc' });
      expect(sut.launch({ program: 'opencode', permissionMode: 'ask', resumeId: 'ses_abc', hasPrompt: false, model: null }).env[SUBMIT_ENV]).toBeUndefined();
    });
  });

  describe('prepareHome', () => {
    it('isolates OpenCode under the home (XDG dirs) and sets the git author', () => {
      const { env } = sut.prepareHome(homeInput());
      expect(env).toMatchObject({
        HOME: '/h',
        XDG_CONFIG_HOME: '/h/.config',
        XDG_DATA_HOME: '/h/.local/share',
        XDG_STATE_HOME: '/h/.local/state',
        XDG_CACHE_HOME: '/h/.cache',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        GIT_AUTHOR_NAME: 'Agent',
        GIT_COMMITTER_EMAIL: 'agent@example.com',
      });
    });

    it('writes a config with Baton\'s provider (key by reference, never on disk) and ask permissions', () => {
      const files = sut.prepareHome(homeInput()).files;
      const config = files.find((f) => f.path === '.config/opencode/opencode.json');
      expect(config?.content).not.toContain('sk-secret');
      const parsed = JSON.parse(config?.content ?? '{}') as Record<string, unknown>;
      expect(parsed).toMatchObject({
        autoupdate: false,
        share: 'disabled',
        model: 'baton/{env:BATON_OPENCODE_MODEL}',
        provider: { baton: { npm: '@ai-sdk/openai-compatible', options: { baseURL: 'http://127.0.0.1:9/v1', apiKey: '{env:OPENAI_API_KEY}' } } },
        permission: { edit: 'ask', bash: 'ask' },
      });
      expect(JSON.parse(sut.prepareHome(homeInput({ permissionMode: 'auto' })).files[0].content)).toMatchObject({ permission: { edit: 'allow', bash: 'allow' } });
    });

    it('writes the plugin and the files that keep OpenCode from an npm install at start', () => {
      const files = sut.prepareHome(homeInput()).files;
      expect(files.map((f) => f.path)).toEqual(
        expect.arrayContaining(['.config/opencode/plugins/baton.js', '.config/opencode/package.json', '.config/opencode/package-lock.json', '.config/opencode/node_modules/.baton-keep']),
      );
      const plugin = files.find((f) => f.path.endsWith('baton.js'))?.content ?? '';
      expect(plugin).toContain(JSON.stringify(`'/usr/bin/node' '/opt/baton/cli.js'`));
      expect(plugin).toContain(`' hook opencode "$1"'`);
    });

    it('the plugin source is valid JavaScript', () => {
      const body = opencodePluginSource(`"/x" "y"`).replace(/^import .*$/gm, '').replace('export const', 'const');
      expect(() => new Function(body)).not.toThrow();
    });
  });

  describe('translateSignal', () => {
    it('registers when the plugin loads', () => {
      expect(translate('baton-init')).toEqual([{ kind: 'register' }]);
    });

    it('reports the session id once, from session.created or busy', () => {
      const ctx = context();
      expect(translate('session-created', ctx)).toEqual([{ kind: 'conversation', id: 'ses_daf42a699ffek4q82Y1fnKqhxF' }]);
      expect(translate('session-status-busy', ctx)).toEqual([{ kind: 'status', status: 'working', message: 'Working' }]);
      expect(translate('session-status-busy')).toEqual([{ kind: 'conversation', id: 'ses_daf42a699ffek4q82Y1fnKqhxF' }, { kind: 'status', status: 'working', message: 'Working' }]);
    });

    it('a permission request is needs_input with the tool and what it would do', () => {
      expect(translate('permission-asked-bash')).toEqual([
        expect.objectContaining({ kind: 'needs_input', reason: 'permission', permission: { tool: 'bash', detail: 'git add hello.txt && git commit -q -m "probe commit" && git log -1 --format="%an <%ae>"' } }),
      ]);
      expect(translate('permission-asked-edit')[0]).toMatchObject({ permission: { tool: 'edit', detail: expect.stringMatching(/\/wt\/hello\.txt$/) } });
    });

    it('a reply is input_answered, then working again', () => {
      expect(translate('permission-replied-once')).toEqual([{ kind: 'input_answered', message: 'Permission once' }, { kind: 'status', status: 'working', message: 'Working' }]);
      expect(translate('permission-replied-reject')[0]).toEqual({ kind: 'input_answered', message: 'Permission reject' });
    });

    it('idle after a turn; a closing question is needs_input(question)', () => {
      expect(translate('session-idle-done')).toEqual([{ kind: 'status', status: 'idle', message: 'Committed hello.txt.' }]);
      expect(translate('session-idle-question')).toEqual([{ kind: 'needs_input', reason: 'question', message: 'Which file should I edit next?' }]);
    });

    it('usage of a finished assistant message, once; OpenCode\'s cost only when it has prices', () => {
      const ctx = context();
      expect(translate('message-updated-completed', ctx)).toEqual([
        { kind: 'usage', model: 'fake-model', inputTokens: 1000, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null },
      ]);
      expect(translate('message-updated-completed', ctx)).toEqual([]);
      const f = fixture('message-updated-completed');
      const info = { ...(f.payload.properties as { info: Record<string, unknown> }).info, id: 'msg_2', providerID: 'anthropic', modelID: 'claude-sonnet-4-5', cost: 0.0123 };
      expect(sut.translateSignal('message.updated', { type: 'message.updated', properties: { info } }, ctx)).toEqual([expect.objectContaining({ model: 'anthropic/claude-sonnet-4-5', costUsd: 0.0123 })]);
    });

    it('the OpenCode question tool is needs_input(question); its answer is input_answered', () => {
      const asked = { type: 'question.asked', properties: { id: 'que_1', sessionID: 'ses_1', questions: [{ question: 'Which database?', header: 'DB', options: [] }] } };
      expect(sut.translateSignal('question.asked', asked, context())).toEqual([{ kind: 'needs_input', reason: 'question', message: 'Which database?' }]);
      expect(sut.translateSignal('question.replied', { type: 'question.replied', properties: {} }, context())[0]).toEqual({ kind: 'input_answered', message: 'Question answered' });
    });

    it('a child (subagent) session never becomes the conversation', () => {
      const f = fixture('session-created');
      const info = { ...(f.payload.properties as { info: Record<string, unknown> }).info, parentID: 'ses_parent' };
      expect(sut.translateSignal('session.created', { type: 'session.created', properties: { info } }, context())).toEqual([]);
    });

    it('never throws on strange payloads', () => {
      const strange: unknown[] = [null, undefined, 42, 'text', [], {}, { properties: null }, { properties: { info: 'x', status: 7, questions: 'no', metadata: [] } }];
      for (const event of [...sut.signalEvents, 'unknown.event'])
        for (const payload of strange) expect(() => sut.translateSignal(event, payload, context())).not.toThrow();
      expect(sut.translateSignal('message.updated', { properties: { info: { role: 'assistant', time: { completed: 1 }, tokens: { input: 'NaN', output: -5 } } } }, context())).toEqual([]);
    });

    it('every captured fixture is an event the hook accepts', () => {
      for (const file of readdirSync(FIXTURES)) expect(sut.signalEvents).toContain(fixture(file.replace(/\.json$/, '')).event);
    });
  });
});
