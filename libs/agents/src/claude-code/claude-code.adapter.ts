import { gitIdentityEnv, ShellLaunch } from '../launch-kit';
import type { AgentAdapter, AgentHome, AgentHomeInput, AgentLaunch, AgentLaunchInput, AgentSignal, SignalContext } from '../types';
import { claudeTranscriptTotals, usageSince, type UsageTotals } from './claude-transcript';

/*
 * Claude Code 2.1.x in its TUI. Verified against 2.1.332 (the native build the npm package
 * ships) with the scripted fake model (libs/testing fake-model/anthropic.ts):
 * - HOME is the agent home: `~/.claude.json` holds the onboarding flag, the approved API-key
 *   suffix and the worktree's trust, so neither first-run, API-key nor folder-trust dialogs show.
 * - `~/.claude/settings.json` wires the hooks (each runs `baton hook claude-code <Event>`),
 *   the permission mode, `skipDangerousModePermissionPrompt` (else bypass mode asks once) and
 *   `permissions.disableAutoMode` (else a finished turn offers "make auto mode your default",
 *   a dialog a follow-up's Enter would answer).
 * - `--resume <session_id>` continues a conversation; the id comes from every hook's payload.
 */
export const CLAUDE_SIGNAL_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PostToolUse', 'PermissionRequest', 'Notification', 'Stop'] as const;

const PERMISSION_MODE = { ask: 'default', auto: 'bypassPermissions' } as const;

function launch(input: AgentLaunchInput): AgentLaunch {
  const line = new ShellLaunch().add(`--permission-mode ${PERMISSION_MODE[input.permissionMode]}`);
  if (input.resumeId) line.value('--resume', 'BATON_AGENT_RESUME_ID', input.resumeId);
  if (input.model) line.value('--model', 'BATON_AGENT_MODEL', input.model);
  if (input.hasPrompt) line.prompt();
  return line.build();
}

/** Every signal wired to `<baton> hook claude-code <Event>` (settings.json's `hooks`). */
export function claudeHooks(batonCommand: string): Record<string, unknown> {
  const hook = (event: string) => [{ hooks: [{ type: 'command', command: `${batonCommand} hook claude-code ${event}`, timeout: 30 }] }];
  return Object.fromEntries(CLAUDE_SIGNAL_EVENTS.map((e) => [e, hook(e)]));
}

function prepareHome(input: AgentHomeInput): AgentHome {
  const settings = {
    hooks: claudeHooks(input.batonCommand),
    permissions: { defaultMode: PERMISSION_MODE[input.permissionMode], disableAutoMode: 'disable' },
    skipDangerousModePermissionPrompt: true,
    autoUpdates: false,
  };
  const key = input.env.ANTHROPIC_API_KEY ?? input.env.ANTHROPIC_AUTH_TOKEN ?? '';
  const state = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: claudeCodeAdapter.verifiedVersion,
    bypassPermissionsModeAccepted: true,
    autoUpdates: false,
    ...(key ? { customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] } } : {}),
    projects: { [input.worktree]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
  };
  return {
    files: [
      // Claude Code rewrites its state file as it runs: merge, so a later session keeps its history.
      { path: '.claude.json', content: JSON.stringify(state), mode: 0o600, merge: 'json' },
      { path: '.claude/settings.json', content: `${JSON.stringify(settings, null, 2)}\n`, mode: 0o600, merge: 'replace' },
    ],
    env: {
      HOME: input.home,
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      // Bypass mode refuses to start as root unless told it runs in a sandbox.
      ...(input.permissionMode === 'auto' ? { IS_SANDBOX: '1' } : {}),
      ...gitIdentityEnv(input.gitAuthor),
    },
  };
}

type Payload = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function toolDetail(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Payload;
  return clip(str(i.command) ?? str(i.file_path) ?? str(i.url) ?? str(i.pattern) ?? JSON.stringify(i), 500);
}

/** A turn that ends in a question waits for a person as much as a permission prompt does (docs/decisions/0016). */
export const endsWithQuestion = (text: string) => /\?\s*(?:[*_`"')\]]\s*)*$/.test(text.trim());

function usageSignal(payload: Payload, ctx: SignalContext): AgentSignal[] {
  const path = str(payload.transcript_path);
  const text = path ? ctx.readFile(path) : null;
  if (!path || text === null) return [];
  const now = claudeTranscriptTotals(text);
  const key = `claude-usage:${path}`;
  const delta = usageSince(now, (ctx.state.get(key) as UsageTotals | undefined) ?? null);
  if (!delta) return [];
  ctx.state.set(key, now);
  return [{ kind: 'usage', model: now.model, inputTokens: delta.inputTokens, outputTokens: delta.outputTokens, cacheReadTokens: delta.cacheReadTokens, cacheWriteTokens: delta.cacheWriteTokens, costUsd: delta.costUsd }];
}

function translateSignal(event: string, payload: unknown, ctx: SignalContext): AgentSignal[] {
  const p: Payload = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Payload) : {};
  const conversation: AgentSignal[] = str(p.session_id) ? [{ kind: 'conversation', id: str(p.session_id)! }] : [];
  switch (event) {
    case 'SessionStart':
      // startup, resume, clear (a new conversation id) and compact all start or continue this Baton session.
      return [{ kind: 'register' }, ...conversation];
    case 'UserPromptSubmit': {
      const prompt = str(p.prompt);
      return [{ kind: 'status', status: 'working', message: prompt ? clip(`prompt: ${oneLine(prompt)}`, 200) : 'prompt submitted' }];
    }
    case 'PostToolUse':
      // Also what clears a permission prompt once it was answered.
      return [{ kind: 'status', status: 'working', message: str(p.tool_name) ? `used ${str(p.tool_name)}` : 'used a tool' }];
    case 'PermissionRequest': {
      const tool = str(p.tool_name) ?? 'a tool';
      const detail = toolDetail(p.tool_input);
      return [{ kind: 'needs_input', reason: 'permission', message: clip(`Claude Code asks to use ${tool}${detail ? `: ${oneLine(detail)}` : ''}`, 2_000), permission: { tool, detail } }];
    }
    case 'Notification': {
      const type = str(p.notification_type);
      // permission_prompt is covered by PermissionRequest (which names the tool); idle_prompt is
      // the 60 s "still waiting" reminder after a finished turn, not a new question.
      if (type === 'elicitation_dialog') return [{ kind: 'needs_input', reason: 'question', message: clip(str(p.message) ?? 'Claude Code asks a question', 2_000) }];
      return [];
    }
    case 'Stop': {
      const usage = usageSignal(p, ctx);
      const last = str(p.last_assistant_message);
      if (last && endsWithQuestion(last)) return [...usage, { kind: 'needs_input', reason: 'question', message: clip(oneLine(last), 2_000) }];
      return [...usage, { kind: 'status', status: 'idle', message: last ? clip(`finished its turn: ${oneLine(last)}`, 200) : 'finished its turn' }];
    }
    default:
      return [];
  }
}

export const claudeCodeAdapter: AgentAdapter = {
  id: 'claude-code',
  displayName: 'Claude Code',
  npmPackage: '@anthropic-ai/claude-code',
  verifiedVersion: '2.1.332',
  bin: 'claude',
  credentialEnv: [['ANTHROPIC_API_KEY'], ['ANTHROPIC_AUTH_TOKEN'], ['CLAUDE_CODE_OAUTH_TOKEN']],
  launch,
  prepareHome,
  // Text and Enter in one burst reads as a paste whose Enter is a newline.
  submit: { bracketedPaste: false, enterDelayMs: 200, enter: '\r' },
  permissionKeys: { approve: '1', deny: '\x1b' },
  signalEvents: CLAUDE_SIGNAL_EVENTS,
  translateSignal,
  // 2.1.332's folder-trust dialog is "Quick safety check"; earlier 2.x said "Do you trust the files".
  // Screens recorded from the real CLI: libs/agents/src/__tests__/screens.
  blockingDialog: /Quick safety check: Is this a project you created or one you trust|Do you trust the files in this folder|Select login method|Do you want to use this API key|Choose the text style|WARNING: Claude Code running in Bypass Permissions mode|Make auto mode your default|Invalid API key|Please run \/login/,
};
