import { gitIdentityEnv, ShellLaunch } from '../launch-kit';
import type { AgentAdapter, AgentHome, AgentHomeInput, AgentLaunch, AgentLaunchInput, AgentSignal, SignalContext } from '../types';
import { ensureUsageBaseline, lastReply, usageSince } from './gemini.transcript';

/*
 * Gemini CLI (`@google/gemini-cli`). Its status comes from its own hooks (settings.json `hooks`,
 * one command per event, the JSON payload on stdin), which call `baton hook gemini <Event>`.
 * The home is `$HOME/.gemini` (HOME and GEMINI_CLI_HOME point at the agent home).
 */

const BIN = 'gemini';

/** The hook events Baton registers; every payload carries session_id, transcript_path, cwd, hook_event_name. */
export const GEMINI_HOOK_EVENTS = ['SessionStart', 'BeforeAgent', 'BeforeTool', 'AfterTool', 'Notification', 'AfterAgent', 'SessionEnd'] as const;

function launch(input: AgentLaunchInput): AgentLaunch {
  const line = new ShellLaunch().add(`--approval-mode ${input.permissionMode === 'auto' ? 'yolo' : 'default'}`);
  if (input.model) line.value('--model', 'BATON_AGENT_MODEL', input.model);
  if (input.resumeId) line.value('--resume', 'BATON_AGENT_RESUME_ID', input.resumeId);
  // `-i` submits the prompt and stays interactive (a positional prompt would too, but one starting with `-` would be a flag).
  if (input.hasPrompt) line.prompt('--prompt-interactive');
  return line.build();
}

function settings(input: AgentHomeInput): Record<string, unknown> {
  const hook = (event: string) => [{ matcher: '*', hooks: [{ type: 'command', name: `baton-${event}`, command: `${input.batonCommand} hook gemini ${event}`, timeout: 30_000 }] }];
  return {
    // The API key comes from GEMINI_API_KEY; with a selected type no auth dialog opens (and the -i prompt is not lost behind it).
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false }, enablePermanentToolApproval: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, enableNotifications: false, checkpointing: { enabled: false } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false, logPrompts: false },
    ide: { enabled: false, hasSeenNudge: true },
    ui: { theme: 'Default', hideTips: true, showShortcutsHint: false, autoThemeSwitching: false },
    hooksConfig: { enabled: true, notifications: false },
    hooks: Object.fromEntries(GEMINI_HOOK_EVENTS.map((e) => [e, hook(e)])),
  };
}

function prepareHome(input: AgentHomeInput): AgentHome {
  const trusted = Object.fromEntries([input.worktree].map((p) => [p, 'TRUST_FOLDER']));
  return {
    files: [
      { path: '.gemini/settings.json', content: JSON.stringify(settings(input), null, 2), merge: 'json' },
      { path: '.gemini/trustedFolders.json', content: JSON.stringify(trusted, null, 2), merge: 'json' },
    ],
    env: {
      HOME: input.home,
      GEMINI_CLI_HOME: input.home,
      // Trusted by env as well: the folder-trust dialog ("Trust parent folder" exits the CLI) never shows.
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      // One node process instead of a wrapper that ignores SIGINT/SIGTERM/SIGHUP and relaunches a child.
      GEMINI_CLI_NO_RELAUNCH: 'true',
      GEMINI_TELEMETRY_ENABLED: 'false',
      NO_BROWSER: 'true',
      // Its shell tool runs commands with GIT_CONFIG_GLOBAL=/dev/null: identity must come from env.
      ...gitIdentityEnv(input.gitAuthor),
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const AWAITING = 'gemini.awaitingPermission';
const LAST_TOOL = 'gemini.lastTool';

function answered(ctx: SignalContext, message: string): AgentSignal[] {
  if (!ctx.state.get(AWAITING)) return [];
  ctx.state.set(AWAITING, false);
  return [{ kind: 'input_answered', message }];
}

function permissionDetail(details: Record<string, unknown>, toolInput: Record<string, unknown>): string {
  for (const v of [details['command'], details['filePath'], details['fileName'], details['prompt'], toolInput['command'], toolInput['file_path']]) {
    if (typeof v === 'string' && v) return v;
  }
  return str(details['title']);
}

function usage(p: Record<string, unknown>, ctx: SignalContext): AgentSignal[] {
  const u = usageSince(str(p['transcript_path']), ctx);
  return u ? [{ kind: 'usage', model: u.model, inputTokens: u.input, outputTokens: u.output, cacheReadTokens: u.cacheRead, cacheWriteTokens: 0, costUsd: null }] : [];
}

function translate(event: string, p: Record<string, unknown>, ctx: SignalContext): AgentSignal[] {
  const sessionId = str(p['session_id']);
  const conversation: AgentSignal[] = sessionId ? [{ kind: 'conversation', id: sessionId }] : [];
  switch (event) {
    case 'SessionStart':
      return [{ kind: 'register' }, ...conversation];
    case 'BeforeAgent':
      // Before the first prompt of this Baton session: what the transcript holds (a resumed conversation) was reported earlier.
      // (Not at SessionStart: on --resume its transcript_path still names a fresh stub file.)
      ensureUsageBaseline(str(p['transcript_path']), ctx);
      return [...answered(ctx, 'Answered with a new prompt'), ...conversation, { kind: 'status', status: 'working', message: clip(`Working: ${str(p['prompt'])}`) }];
    case 'BeforeTool': {
      const tool = str(p['tool_name']) || 'tool';
      ctx.state.set(LAST_TOOL, { tool, input: isRecord(p['tool_input']) ? p['tool_input'] : {} });
      return [...answered(ctx, 'Permission answered'), { kind: 'status', status: 'working', message: `Running ${tool}` }];
    }
    case 'AfterTool': {
      const tool = str(p['tool_name']) || 'tool';
      return [...answered(ctx, `Permission answered for ${tool}`), { kind: 'status', status: 'working', message: `Ran ${tool}` }];
    }
    case 'Notification': {
      if (p['notification_type'] !== 'ToolPermission') return [];
      const details = isRecord(p['details']) ? p['details'] : {};
      const last = ctx.state.get(LAST_TOOL);
      const lastTool = isRecord(last) ? last : {};
      const tool = str(lastTool['tool']) || str(details['title']) || 'tool';
      const detail = permissionDetail(details, isRecord(lastTool['input']) ? lastTool['input'] : {});
      ctx.state.set(AWAITING, true);
      return [{ kind: 'needs_input', reason: 'permission', message: clip(str(p['message']) || `Allow ${tool}?`), permission: { tool, detail } }];
    }
    case 'AfterAgent': {
      // prompt_response joins streamed chunks with spaces (and repeats the last one): prefer the transcript's text.
      const path = str(p['transcript_path']);
      const reply = (path ? lastReply(ctx.readFile(path)) : null) ?? str(p['prompt_response']).trim();
      const done: AgentSignal = reply.endsWith('?')
        ? { kind: 'needs_input', reason: 'question', message: clip(reply.split('\n').filter(Boolean).pop() ?? reply) }
        : { kind: 'status', status: 'idle', message: clip(reply ? `Done: ${reply}` : 'Turn finished') };
      return [...answered(ctx, 'Turn ended'), ...usage(p, ctx), done];
    }
    case 'SessionEnd':
      return usage(p, ctx);
    default:
      return [];
  }
}

export const geminiAdapter: AgentAdapter = {
  id: 'gemini',
  displayName: 'Gemini CLI',
  npmPackage: '@google/gemini-cli',
  verifiedVersion: '0.61.0',
  bin: BIN,
  credentialEnv: [['GEMINI_API_KEY']],
  launch,
  prepareHome,
  // Text first, Enter alone after a pause: a burst ending in \r is taken as a paste (newline).
  submit: { bracketedPaste: false, enterDelayMs: 300, enter: '\r' },
  // The confirmation is a numbered list ("1. Allow once" first); Esc cancels the call and the turn.
  permissionKeys: { approve: '1', deny: '\x1b' },
  signalEvents: GEMINI_HOOK_EVENTS,
  translateSignal(event, payload, ctx) {
    try {
      return isRecord(payload) ? translate(event, payload, ctx) : [];
    } catch {
      return [];
    }
  },
  blockingDialog: /Do you trust the files in this folder\?|How would you like to authenticate for this project\?|Enter Gemini API Key/,
};
