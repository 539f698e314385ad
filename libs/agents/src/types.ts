/*
 * The contract every real-agent adapter fulfils (DESIGN §5 "Agent adapters"). An adapter is
 * pure: it says what to run, which files make the agent's home usable without a first-run,
 * trust, sign-in or API-key dialog, how keystrokes submit a follow-up, and what the agent's own
 * signals (hooks, notify programs, plugin events) mean for Baton. The runner does the I/O
 * (writes the files, spawns the PTY, kills the tree); the `baton hook <agent> …` CLI turns
 * signals into reports. No Nest, NATS or Postgres here: node built-ins only.
 */

import { AGENT_IDS, type AgentId, type PermissionMode } from '@baton/events';

export { AGENT_IDS, type AgentId, type PermissionMode };
export const isAgentId = (v: unknown): v is AgentId => typeof v === 'string' && (AGENT_IDS as readonly string[]).includes(v);

export interface AgentLaunchInput {
  /** The program to exec (the template's `argv[0]`, e.g. `claude` or a path); also in `$BATON_AGENT_PROGRAM`. */
  program: string;
  permissionMode: PermissionMode;
  /** The agent's own conversation id to continue (captured from its signals, kept on the attempt); null: a new one. */
  resumeId: string | null;
  /** True when a first prompt waits in the file named by `$BATON_PROMPT_FILE`. */
  hasPrompt: boolean;
  /** The model the operator chose for the template/attempt; null: the agent's default. */
  model: string | null;
}

/**
 * What to exec. `argv` is exec'd directly; where it needs a shell it reads values from the
 * environment inside double quotes ("$BATON_PROMPT_FILE"), so a prompt is always data.
 * `$BATON_AGENT_HOME` is set by the runner to the agent home (see below).
 */
export interface AgentLaunch {
  argv: string[];
  env: Record<string, string>;
}

export interface AgentHomeInput {
  /** Absolute: the agent home (HOME and the agent's config dir live below it). Kept per attempt, so a later session finds the conversation. */
  home: string;
  /** Absolute: the agent's working directory (the attempt's worktree). */
  worktree: string;
  /** Absolute: directories git needs to write for a commit (the worktree's git dir and the common dir). */
  gitWritableDirs: string[];
  /** The session's environment as it will be (operator-configured API keys, base URLs, BATON_* variables). */
  env: Readonly<Record<string, string>>;
  permissionMode: PermissionMode;
  /** The command line that runs Baton's CLI (for hooks/notify programs), e.g. `"/usr/bin/node" "/opt/baton/cli.js"`; already shell-quoted. */
  batonCommand: string;
  /** Git author for the agent's commits. */
  gitAuthor: { name: string; email: string };
}

/**
 * A file the runner writes before the spawn. `path` is relative to the agent home. `merge`
 * `json` deep-merges `content` (JSON text) into what is already there (an agent rewrites its
 * own state file, e.g. `~/.claude.json`, and the next session must keep it).
 */
export interface AgentFile {
  path: string;
  content: string;
  mode?: number;
  merge?: 'json' | 'replace';
}

export interface AgentHome {
  files: AgentFile[];
  /** Environment added for the agent (HOME, XDG_*, CODEX_HOME, GIT_AUTHOR_*, …). Wins over the launch env. */
  env: Record<string, string>;
}

/**
 * How typed text becomes a submitted message in this agent's TUI. Most TUIs treat a burst that
 * ends in `\r` as a paste (the Enter becomes a newline), so the text goes first, and the Enter
 * alone after `enterDelayMs`.
 */
export interface SubmitStyle {
  bracketedPaste: boolean;
  enterDelayMs: number;
  enter: string;
}

/** What one of the agent's own signals means for Baton, in the order they should be reported. */
export type AgentSignal =
  | { kind: 'register' }
  | { kind: 'conversation'; id: string }
  | { kind: 'status'; status: 'working' | 'idle'; message: string }
  | { kind: 'needs_input'; message: string; reason: 'permission' | 'question' | 'dialog'; permission?: { tool: string; detail: string } }
  | { kind: 'input_answered'; message: string }
  | {
      kind: 'usage';
      model: string | null;
      inputTokens: number;
      outputTokens: number;
      cacheReadTokens: number;
      cacheWriteTokens: number;
      /** The agent's own reported cost; null: Baton prices it from the model (see pricing.ts). */
      costUsd: number | null;
    };

/** I/O a signal translation may need (reading a transcript, remembering what was reported). */
export interface SignalContext {
  readFile(path: string): string | null;
  /** Small per-session state the hook keeps between calls (e.g. usage already reported). */
  state: { get(key: string): unknown; set(key: string, value: unknown): void };
}

export interface AgentAdapter {
  id: AgentId;
  displayName: string;
  /** The npm package and the version Baton is verified against (tests pin it). */
  npmPackage: string;
  verifiedVersion: string;
  /** The executable name on PATH. */
  bin: string;
  /** Environment the operator provides (any one group satisfies): e.g. [['ANTHROPIC_API_KEY'], ['CLAUDE_CODE_OAUTH_TOKEN']]. */
  credentialEnv: string[][];
  launch(input: AgentLaunchInput): AgentLaunch;
  prepareHome(input: AgentHomeInput): AgentHome;
  submit: SubmitStyle;
  /** Keys that answer an open permission prompt in the TUI. */
  permissionKeys: { approve: string; deny: string };
  /** The hook/notify/plugin event names `baton hook <id> <event>` accepts. */
  signalEvents: readonly string[];
  /** One signal (its event name and JSON payload) → what it means. Never throws on a strange payload. */
  translateSignal(event: string, payload: unknown, ctx: SignalContext): AgentSignal[];
  /** Screen text that means a dialog Baton could not pass (shown as needs_input with its text); null: none known. */
  blockingDialog: RegExp | null;
}
