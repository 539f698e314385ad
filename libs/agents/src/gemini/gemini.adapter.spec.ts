import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHomeInput, AgentSignal, SignalContext } from '../types';
import { geminiAdapter as sut, GEMINI_HOOK_EVENTS } from './gemini.adapter';
import { lastReply, transcriptUsage } from './gemini.transcript';

/* Real payloads captured by __tests__/probe.mjs from Gemini CLI 0.61.0 (paths rewritten to /work/probe). */
const FIXTURES = join(__dirname, '__tests__', 'fixtures');
const hooks = JSON.parse(readFileSync(join(FIXTURES, 'hooks.json'), 'utf8')) as { event: string; payload: Record<string, unknown> }[];
const transcriptLines = readFileSync(join(FIXTURES, 'transcript.jsonl'), 'utf8').split('\n');
/** The transcript as it was up to (excluding) a line: TASK1, TASK2, TASK5 (denied), TASK2 end before line 48 (the resume); TASK3 starts at line 50. */
const transcriptUpTo = (line: number) => transcriptLines.slice(0, line).join('\n');

function context(files: (path: string) => string | null = () => null): SignalContext & { store: Map<string, unknown> } {
  const store = new Map<string, unknown>();
  return { store, readFile: files, state: { get: (k) => store.get(k), set: (k, v) => void store.set(k, v) } };
}
const replay = (from: number, to: number, ctx: SignalContext) => hooks.slice(from, to).flatMap((h) => sut.translateSignal(h.event, h.payload, ctx));
/** A context whose transcript grows: `cut` lines at first (what the file held at the first prompt), `later` lines after the first event. */
function growing(cut: number, later: number) {
  let lines = cut;
  const ctx = context((path) => (path.endsWith('.jsonl') ? transcriptUpTo(lines) : null));
  return { ctx, grow: () => (lines = later) };
}
const replayGrowing = (from: number, to: number, cut: number, later: number) => {
  const { ctx, grow } = growing(cut, later);
  return hooks.slice(from, to).flatMap((h, i) => {
    if (i > 1) grow();
    return sut.translateSignal(h.event, h.payload, ctx);
  });
};
const usageOf = (signals: AgentSignal[]) =>
  signals.reduce((t, s) => (s.kind === 'usage' ? { input: t.input + s.inputTokens, output: t.output + s.outputTokens } : t), { input: 0, output: 0 });

const homeInput: AgentHomeInput = {
  home: '/agent/home',
  worktree: '/work/wt',
  gitWritableDirs: ['/work/repo/.git/worktrees/wt', '/work/repo/.git'],
  env: { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:1' },
  permissionMode: 'ask',
  batonCommand: '"/usr/bin/node" "/opt/baton/cli.js"',
  gitAuthor: { name: 'Baton Agent', email: 'agent@baton.test' },
};

describe(sut.displayName, () => {
  describe('launch', () => {
    it('asks for permission in ask mode and submits the first prompt from the file with -i', () => {
      const { argv, env } = sut.launch({ program: 'gemini', permissionMode: 'ask', resumeId: null, hasPrompt: true, model: null });
      expect(argv).toEqual(['sh', '-c', 'exec "$BATON_AGENT_PROGRAM" --approval-mode default --prompt-interactive "$(cat "$BATON_PROMPT_FILE")"']);
      expect(env).toEqual({});
    });

    it('runs yolo in auto mode, resumes by id and picks the model, all through the environment', () => {
      const { argv, env } = sut.launch({ program: 'gemini', permissionMode: 'auto', resumeId: 'd1f69613-00a5-46b1-a404-e82321595c4c', hasPrompt: false, model: 'gemini-2.5-pro' });
      expect(argv[2]).toBe('exec "$BATON_AGENT_PROGRAM" --approval-mode yolo --model "$BATON_AGENT_MODEL" --resume "$BATON_AGENT_RESUME_ID"');
      expect(env).toEqual({ BATON_AGENT_MODEL: 'gemini-2.5-pro', BATON_AGENT_RESUME_ID: 'd1f69613-00a5-46b1-a404-e82321595c4c' });
    });

    it('never puts a hostile model name or id into the command line', () => {
      const { argv } = sut.launch({ program: 'gemini', permissionMode: 'ask', resumeId: '$(rm -rf ~)', hasPrompt: false, model: '`id`' });
      expect(argv[2]).not.toContain('rm -rf');
      expect(argv[2]).not.toContain('`id`');
    });
  });

  describe('prepareHome', () => {
    const home = sut.prepareHome(homeInput);
    const file = (path: string) => JSON.parse(home.files.find((f) => f.path === path)?.content ?? 'null') as Record<string, Record<string, unknown>>;

    it('selects API-key auth and trusts the worktree, so neither the auth nor the trust dialog shows', () => {
      expect(file('.gemini/settings.json').security).toMatchObject({ auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } });
      expect(file('.gemini/trustedFolders.json')).toEqual({ '/work/wt': 'TRUST_FOLDER' });
      expect(home.env).toMatchObject({ HOME: '/agent/home', GEMINI_CLI_HOME: '/agent/home', GEMINI_CLI_TRUST_WORKSPACE: 'true' });
    });

    it('wires every signal event to `baton hook gemini <Event>`', () => {
      const hooksCfg = file('.gemini/settings.json').hooks as Record<string, { hooks: { command: string }[] }[]>;
      expect(Object.keys(hooksCfg)).toEqual([...GEMINI_HOOK_EVENTS]);
      expect(hooksCfg.Notification[0].hooks[0].command).toBe('"/usr/bin/node" "/opt/baton/cli.js" hook gemini Notification');
      expect(sut.signalEvents).toEqual(GEMINI_HOOK_EVENTS);
    });

    it('turns off update checks, telemetry and usage statistics, and gives git an identity through env', () => {
      const settings = file('.gemini/settings.json');
      expect(settings.general).toMatchObject({ enableAutoUpdate: false, enableAutoUpdateNotification: false });
      expect(settings.telemetry).toMatchObject({ enabled: false });
      expect(settings.privacy).toEqual({ usageStatisticsEnabled: false });
      expect(home.env).toMatchObject({ GIT_AUTHOR_NAME: 'Baton Agent', GIT_AUTHOR_EMAIL: 'agent@baton.test', GIT_COMMITTER_NAME: 'Baton Agent', GIT_COMMITTER_EMAIL: 'agent@baton.test', GEMINI_CLI_NO_RELAUNCH: 'true' });
      expect(home.files.every((f) => f.merge === 'json')).toBe(true);
    });
  });

  describe('translateSignal (real payloads)', () => {
    const files = (cut: number) => (path: string) => (path.endsWith('.jsonl') ? transcriptUpTo(cut) : null);

    it('registers with the conversation id at SessionStart', () => {
      expect(sut.translateSignal('SessionStart', hooks[0].payload, context())).toEqual([
        { kind: 'register' },
        { kind: 'conversation', id: 'fc741b65-cbe0-453a-98ec-300147ec2fdd' },
      ]);
    });

    it('is working on a prompt, needs input for a permission with tool and command, and is answered when the tool ran', () => {
      const ctx = context(files(3));
      const signals = replay(1, 8, ctx);
      expect(signals[1]).toMatchObject({ kind: 'status', status: 'working', message: 'Working: TASK1: write hello.txt and commit it' });
      expect(signals.filter((s) => s.kind === 'needs_input')).toEqual([
        { kind: 'needs_input', reason: 'permission', message: 'Tool Confirm Write: hello.txt requires editing', permission: { tool: 'write_file', detail: '/work/probe/wt/hello.txt' } },
        {
          kind: 'needs_input',
          reason: 'permission',
          message: 'Tool Confirm Shell Command requires execution',
          permission: { tool: 'run_shell_command', detail: 'git add hello.txt && git commit -m "add hello" && git log -1 --format="%an <%ae>"' },
        },
      ]);
      expect(signals.filter((s) => s.kind === 'input_answered')).toHaveLength(2);
      expect(signals.at(-1)).toEqual({ kind: 'status', status: 'working', message: 'Ran run_shell_command' });
    });

    it('is idle after a turn that ends in a statement, with usage from the transcript and no cost', () => {
      const signals = replayGrowing(0, 9, 3, 15);
      expect(signals.at(-1)).toEqual({ kind: 'status', status: 'idle', message: 'Done: Committed hello.txt.' });
      expect(signals.find((s) => s.kind === 'usage')).toEqual({ kind: 'usage', model: 'gemini-2.5-flash', inputTokens: 3000, outputTokens: 150, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: null });
    });

    it('needs input (question) when the turn ends in a question', () => {
      const signals = replay(9, 11, context(files(19)));
      expect(signals.at(-1)).toEqual({ kind: 'needs_input', reason: 'question', message: 'I can also add a README section. Should I do that?' });
    });

    it('clears a denied permission (no hook fires on Esc) with the next prompt', () => {
      const signals = replay(11, 15, context(files(26)));
      expect(signals.map((s) => s.kind)).toEqual(['conversation', 'status', 'status', 'needs_input', 'input_answered', 'conversation', 'status']);
    });

    it('reports each token once over a session, and only the new turns after a resume', () => {
      const first = usageOf(replayGrowing(0, 18, 3, 48));
      expect(first).toEqual({ input: 5500, output: 200 });
      const signals = replayGrowing(18, hooks.length, 50, transcriptLines.length);
      expect(usageOf(signals)).toEqual({ input: 3200, output: 100 });
    });
  });

  describe('strange input', () => {
    const strange: unknown[] = [null, undefined, 'text', 42, [], [1, 2], {}, { session_id: 7, transcript_path: {}, details: 'x', tool_input: [] }, { notification_type: 'ToolPermission', details: null }];
    it.each(['SessionStart', 'BeforeAgent', 'BeforeTool', 'AfterTool', 'Notification', 'AfterAgent', 'SessionEnd', 'Nope', ''])('never throws on %s', (event) => {
      const bad = context(() => '{"type":"gemini","tokens":"lots"}\n{not json\n{"$set":{"messages":"no"}}');
      const throwing = context(() => {
        throw new Error('io');
      });
      for (const payload of strange) {
        expect(() => sut.translateSignal(event, payload, bad)).not.toThrow();
        expect(() => sut.translateSignal(event, payload, throwing)).not.toThrow();
      }
    });

    it('reads neither usage nor a reply from garbage transcripts', () => {
      expect(transcriptUsage('garbage')).toEqual({ model: null, input: 0, output: 0, cacheRead: 0 });
      expect(transcriptUsage(null)).toBeNull();
      expect(lastReply('{"messages": 3}')).toBeNull();
    });
  });

  it('knows the dialogs it cannot pass', () => {
    expect(sut.blockingDialog?.test('Do you trust the files in this folder?')).toBe(true);
    expect(sut.blockingDialog?.test('How would you like to authenticate for this project?')).toBe(true);
    expect(sut.blockingDialog?.test('> Type your message or @path/to/file')).toBe(false);
  });
});
