/*
 * OpenCode (opencode-ai, a Bun-compiled TUI that runs its HTTP server in-process). Status comes
 * from OpenCode's own bus events, forwarded by a plugin Baton writes into the agent's config dir
 * (JSON on stdin of `baton hook opencode <event>`); the conversation id is the session id
 * (`ses_…`) that `--session <id>` resumes; usage and cost come from finished assistant messages.
 * The interactive TUI runs in the PTY (not `opencode run`), so follow-ups stay in one session.
 * See docs/agents/opencode.md.
 */
import { gitIdentityEnv, ShellLaunch } from '../launch-kit';
import type { AgentAdapter, AgentHome, AgentHomeInput, AgentLaunch, AgentLaunchInput } from '../types';
import { OPENCODE_FORWARDED_EVENTS, SUBMIT_ENV } from './opencode.plugin';
import { BATON_PROVIDER, DEFAULT_MODEL, MODEL_ENV, OPENCODE_VERSION, opencodeHomeFiles, XDG_DIRS } from './opencode.home';
import { translateOpencodeSignal } from './opencode.signals';

const BIN = 'opencode';

/** `gpt-4.1` runs on Baton's provider (`baton/gpt-4.1`); `anthropic/claude-…` picks one of OpenCode's own providers. */
export function modelArg(model: string | null): { arg: string; configModel: string } {
  if (model && model.includes('/')) return { arg: model, configModel: DEFAULT_MODEL };
  const bare = model || DEFAULT_MODEL;
  return { arg: `${BATON_PROVIDER}/${bare}`, configModel: bare };
}

function launch(input: AgentLaunchInput): AgentLaunch {
  // The `=` form keeps a value that starts with `-` from being read as a flag.
  const { arg, configModel } = modelArg(input.model);
  const line = new ShellLaunch().value('--model', 'BATON_AGENT_MODEL', arg, '=').setEnv(MODEL_ENV, configModel);
  // `--auto` approves every permission that is not explicitly denied (the config allows them too).
  if (input.permissionMode === 'auto') line.add('--auto');
  if (input.resumeId) {
    line.value('--session', 'BATON_AGENT_RESUME_ID', input.resumeId, '=');
    // The TUI ignores --prompt with --session: Baton's plugin sends $BATON_PROMPT_FILE to the session.
    if (input.hasPrompt) line.setEnv(SUBMIT_ENV, input.resumeId);
  } else if (input.hasPrompt) {
    line.prompt('--prompt', '=');
  }
  return line.build();
}

function prepareHome(input: AgentHomeInput): AgentHome {
  const xdg = Object.fromEntries(Object.entries(XDG_DIRS).map(([k, rel]) => [k, `${input.home}/${rel}`]));
  return {
    files: opencodeHomeFiles(input),
    env: {
      HOME: input.home,
      ...xdg,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      ...gitIdentityEnv(input.gitAuthor),
    },
  };
}

export const opencodeAdapter: AgentAdapter = {
  id: 'opencode',
  displayName: 'OpenCode',
  npmPackage: 'opencode-ai',
  verifiedVersion: OPENCODE_VERSION,
  bin: BIN,
  credentialEnv: [['OPENAI_API_KEY']],
  launch,
  prepareHome,
  // The prompt box takes typed text; the Enter goes alone after a pause so it submits.
  submit: { bracketedPaste: false, enterDelayMs: 300, enter: '\r' },
  // The permission prompt opens on "Allow once" (Enter); Escape is its reject key.
  permissionKeys: { approve: '\r', deny: '\x1b' },
  signalEvents: ['baton.init', ...OPENCODE_FORWARDED_EVENTS],
  translateSignal: translateOpencodeSignal,
  // None known: with Baton's config no provider, sign-in, trust or onboarding dialog shows
  // (an unconfigured OpenCode falls back to its free hosted model rather than asking).
  blockingDialog: null,
};
