/*
 * The Codex home Baton prepares ($CODEX_HOME = <agent home>/.codex): a config.toml that points
 * Codex at the operator's Responses endpoint through a custom provider (no ChatGPT sign-in, no
 * API-key screen), trusts the worktree (no trust screen), keeps the shared app-server daemon off
 * (it would outlive the session), lets the sandbox write the git dirs a commit needs, and a
 * hooks.json whose handlers call `baton hook codex <Event>` with the event JSON on stdin.
 */
import type { AgentFile, AgentHomeInput, PermissionMode } from '../types';

export const CODEX_DIR = '.codex';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** The hook events Baton registers (Codex 0.171 `hooks.json` names). */
export const CODEX_HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop'] as const;

/** A TOML basic string (JSON string escapes are valid TOML escapes). */
const tomlString = (s: string) => JSON.stringify(s);
const tomlArray = (xs: string[]) => `[${xs.map(tomlString).join(', ')}]`;

/**
 * `ask`: Codex asks before anything the sandbox would refuse (a command it wants to run outside
 * the sandbox, or a retry after a sandbox denial); 0.171 rejects the older `untrusted`.
 * `auto`: never ask; the workspace-write sandbox still confines writes to the worktree and git dirs.
 */
export function approvalPolicy(mode: PermissionMode): 'on-request' | 'never' {
  return mode === 'ask' ? 'on-request' : 'never';
}

export function configToml(input: AgentHomeInput): string {
  const baseUrl = input.env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL;
  const writable = [...new Set(input.gitWritableDirs)];
  const trusted = [...new Set([input.worktree, ...writable])];
  return [
    '# Written by Baton for one attempt; rewritten at every session start.',
    'model_provider = "baton"',
    `approval_policy = ${tomlString(approvalPolicy(input.permissionMode))}`,
    'sandbox_mode = "workspace-write"',
    'cli_auth_credentials_store = "file"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.baton]',
    'name = "OpenAI (via Baton)"',
    `base_url = ${tomlString(baseUrl)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    'requires_openai_auth = false',
    'supports_websockets = false',
    '',
    '[sandbox_workspace_write]',
    `writable_roots = ${tomlArray(writable)}`,
    'network_access = false',
    '',
    '[features]',
    // The shared app-server daemon is a setsid'd background server that outlives the TUI.
    'daemon_auto_start = false',
    'hooks = true',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[notice]',
    'hide_full_access_warning = true',
    '',
    ...trusted.flatMap((dir) => [`[projects.${tomlString(dir)}]`, 'trust_level = "trusted"', '']),
  ].join('\n');
}

export function hooksJson(batonCommand: string): string {
  const hooks: Record<string, unknown[]> = {};
  for (const event of CODEX_HOOK_EVENTS) {
    hooks[event] = [{ hooks: [{ type: 'command', command: `${batonCommand} hook codex ${event}`, timeout: 30 }] }];
  }
  return `${JSON.stringify({ hooks }, null, 2)}\n`;
}

export function codexHomeFiles(input: AgentHomeInput): AgentFile[] {
  return [
    { path: `${CODEX_DIR}/config.toml`, content: configToml(input), mode: 0o600, merge: 'replace' },
    { path: `${CODEX_DIR}/hooks.json`, content: hooksJson(input.batonCommand), mode: 0o600, merge: 'replace' },
  ];
}
