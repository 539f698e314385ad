/*
 * Codex CLI (@openai/codex, a Rust TUI). Status comes from Codex's own lifecycle hooks
 * ($CODEX_HOME/hooks.json, JSON on stdin); the conversation id is the hook `session_id`
 * (= the thread id `codex resume <id>` takes); usage is read from the rollout file the hooks
 * name. See docs/agents/codex.md.
 */
import { gitIdentityEnv, ShellLaunch } from '../launch-kit';
import type { AgentAdapter, AgentHome, AgentHomeInput, AgentLaunch, AgentLaunchInput } from '../types';
import { approvalPolicy, CODEX_DIR, CODEX_HOOK_EVENTS, codexHomeFiles } from './codex.home';
import { translateCodexSignal } from './codex.signals';

const BIN = 'codex';

/*
 * Flags on every launch. Hooks are Baton's own generated file, so they run without the
 * interactive hook-trust review; `--no-daemon` keeps the TUI off the shared background
 * app-server (which setsid's and outlives the session).
 */
const fixedFlags = (input: AgentLaunchInput) => ['--no-daemon', '--dangerously-bypass-hook-trust', '--sandbox', 'workspace-write', '--ask-for-approval', approvalPolicy(input.permissionMode)];

function launch(input: AgentLaunchInput): AgentLaunch {
  const program = input.program || BIN;
  const resume = input.resumeId ? ['resume'] : [];
  if (!input.hasPrompt) {
    // exec'd directly: every value is its own argv element; `--` ends the options before the id.
    const model = input.model ? ['--model', input.model] : [];
    return { argv: [program, ...resume, ...fixedFlags(input), ...model, ...(input.resumeId ? ['--', input.resumeId] : [])], env: {} };
  }
  // Through a shell for the prompt file: every value comes in through the environment, quoted.
  const line = new ShellLaunch().add(...resume, ...fixedFlags(input));
  if (input.model) line.value('--model', 'BATON_AGENT_MODEL', input.model);
  line.add('--');
  if (input.resumeId) line.value('', 'BATON_AGENT_RESUME_ID', input.resumeId);
  return line.prompt().build();
}

function prepareHome(input: AgentHomeInput): AgentHome {
  return {
    files: codexHomeFiles(input),
    env: {
      HOME: input.home,
      CODEX_HOME: `${input.home}/${CODEX_DIR}`,
      ...gitIdentityEnv(input.gitAuthor),
    },
  };
}

export const codexAdapter: AgentAdapter = {
  id: 'codex',
  displayName: 'Codex CLI',
  npmPackage: '@openai/codex',
  verifiedVersion: '0.171.0',
  bin: BIN,
  credentialEnv: [['OPENAI_API_KEY']],
  launch,
  prepareHome,
  // Codex's composer treats a fast burst ending in Enter as a paste (the Enter becomes a newline).
  submit: { bracketedPaste: false, enterDelayMs: 300, enter: '\r' },
  // The approval overlay: `y` runs the command once, Esc declines ("No, and tell Codex what to do differently").
  permissionKeys: { approve: 'y', deny: '\x1b' },
  signalEvents: CODEX_HOOK_EVENTS,
  translateSignal: translateCodexSignal,
  // Screens prepareHome prevents (sign-in, folder trust, hook review), should they ever come back.
  blockingDialog: /Sign in with ChatGPT|Sign in another way|Trust this folder\?|Hooks need review|Trust all and continue/,
};
