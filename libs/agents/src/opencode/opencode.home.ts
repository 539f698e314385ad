/*
 * The OpenCode home Baton prepares. OpenCode keeps config, data (its SQLite session store),
 * state and cache under the XDG dirs, so pointing them below the agent home isolates it:
 *  - `.config/opencode/opencode.json`: a `baton` provider (`@ai-sdk/openai-compatible`, Chat
 *    Completions at the operator's base URL, key read from `$OPENAI_API_KEY` at load time, so it
 *    is never written to disk), the model, permissions, autoupdate and sharing off;
 *  - `.config/opencode/plugins/baton.js`: the plugin that reports OpenCode's events to Baton;
 *  - `package.json` + `package-lock.json` + `node_modules/` in the same dir: OpenCode runs an npm
 *    install of `@opencode-ai/plugin` into every config dir whose deps look missing or dirty (a
 *    registry fetch at each start); with these present it skips it (Baton's plugin needs no deps).
 */
import type { AgentFile, AgentHomeInput, PermissionMode } from '../types';
import { opencodePluginSource } from './opencode.plugin';

export const OPENCODE_VERSION = '1.18.33';
export const OPENCODE_CONFIG_DIR = '.config/opencode';
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Baton's provider id in the OpenCode config: models are `baton/<model>`. */
export const BATON_PROVIDER = 'baton';
/** The env var the config reads the model name from (set per launch). */
export const MODEL_ENV = 'BATON_OPENCODE_MODEL';
export const DEFAULT_MODEL = 'gpt-4.1';

/** XDG dirs below the home (relative), so nothing of OpenCode's lands outside it. */
export const XDG_DIRS = {
  XDG_CONFIG_HOME: '.config',
  XDG_DATA_HOME: '.local/share',
  XDG_STATE_HOME: '.local/state',
  XDG_CACHE_HOME: '.cache',
} as const;

/** `ask`: file edits, shell commands and fetches need approval. `auto`: all allowed (the launch adds `--auto` too). */
export function permissionConfig(mode: PermissionMode): Record<string, string> {
  const action = mode === 'ask' ? 'ask' : 'allow';
  return { edit: action, bash: action, webfetch: action, external_directory: action };
}

export function opencodeConfig(input: AgentHomeInput): Record<string, unknown> {
  const baseURL = input.env.OPENCODE_BASE_URL || input.env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL;
  const model = `{env:${MODEL_ENV}}`;
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    // `{env:…}` is substituted in the file's text when OpenCode loads it, keys included.
    model: `${BATON_PROVIDER}/${model}`,
    small_model: `${BATON_PROVIDER}/${model}`,
    provider: {
      [BATON_PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Baton',
        options: { baseURL, apiKey: '{env:OPENAI_API_KEY}' },
        models: { [model]: { name: model } },
      },
    },
    permission: permissionConfig(input.permissionMode),
  };
}

const PLUGIN_DEPS = { '@opencode-ai/plugin': OPENCODE_VERSION };

export function opencodeHomeFiles(input: AgentHomeInput): AgentFile[] {
  const dir = OPENCODE_CONFIG_DIR;
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return [
    { path: `${dir}/opencode.json`, content: json(opencodeConfig(input)), mode: 0o600, merge: 'replace' },
    { path: `${dir}/plugins/baton.js`, content: opencodePluginSource(input.batonCommand), mode: 0o600, merge: 'replace' },
    { path: `${dir}/package.json`, content: json({ dependencies: PLUGIN_DEPS }), merge: 'replace' },
    { path: `${dir}/package-lock.json`, content: json({ lockfileVersion: 3, packages: { '': { dependencies: PLUGIN_DEPS } } }), merge: 'replace' },
    { path: `${dir}/node_modules/.baton-keep`, content: '', merge: 'replace' },
  ];
}
