import { SessionTemplateSpecSchema, type AgentId, type SessionTemplateSpec, type TemplateSnapshot } from '@baton/events';

/*
 * Built-in templates: code, not events. Bump BUILTIN_VERSION when one changes (sessions pin
 * the version they ran). Every argv is exec'd directly; the ones that need a shell read
 * values from the environment inside double quotes ("$BATON_PROMPT_FILE"), where the shell
 * expands them as data — a task title never becomes code.
 */
export const BUILTIN_VERSION = 2;

const defaults: Omit<SessionTemplateSpec, 'name' | 'description' | 'kind' | 'argv'> = {
  env: {},
  workingDirectory: null,
  autoStart: false,
  restart: { mode: 'never', backoffMs: 2_000, maxBackoffMs: 60_000, maxRestarts: 0, resetAfterMs: null },
  registration: 'on_spawn',
  registrationTimeoutMs: 60_000,
  readyPattern: null,
  successPattern: null,
  errorPattern: null,
  quota: null,
  parsers: [],
  stallAfterMs: null,
  stallAction: 'notify',
  copyFiles: [],
  setupScript: null,
  cleanupScript: null,
  layout: 'tab',
  maxConcurrent: null,
  runnerLabels: {},
  hooks: 'none',
  agent: null,
  permissionMode: 'ask',
  model: null,
};

const agentDefaults = {
  ...defaults,
  kind: 'agent' as const,
  restart: { mode: 'on-failure' as const, backoffMs: 5_000, maxBackoffMs: 120_000, maxRestarts: 3, resetAfterMs: 600_000 },
  stallAfterMs: 900_000,
  parsers: [{ name: 'progress', pattern: '(?<percent>\\d{1,3})% (?:done|complete)', kind: 'progress' as const }],
};

/** A real agent driven by its adapter (libs/agents): it registers through its own hooks; `ask` until an attempt says otherwise. */
const realAgent = (agent: AgentId) => ({ agent, registration: 'agent' as const, permissionMode: 'ask' as const, model: null });

export const BUILTIN_TEMPLATES: Readonly<Record<string, SessionTemplateSpec>> = {
  'claude-code': {
    ...agentDefaults,
    ...realAgent('claude-code'),
    name: 'Claude Code',
    description: 'Anthropic Claude Code in its TUI. Baton prepares its home (no first-run, trust or API-key dialog) and reads status, usage and its conversation id from its hooks. Needs ANTHROPIC_API_KEY (project or template env).',
    argv: ['claude'],
    quota: {
      pattern: '(?:usage limit|limit) reached[^\\n]*?resets?\\s+(?:at\\s+)?(?<reset>\\d{1,2}(?::\\d{2})?\\s*[ap]m)(?:\\s*\\((?<tz>[A-Za-z_/+-]+)\\))?',
      resumeInput: 'Please continue where you left off.\r',
      defaultWaitMs: 3_600_000,
    },
  },
  codex: {
    ...agentDefaults,
    ...realAgent('codex'),
    name: 'Codex CLI',
    description: 'OpenAI Codex CLI in its TUI, driven by its adapter (home, sandbox, notify, resume). Needs OPENAI_API_KEY.',
    argv: ['codex'],
    quota: {
      pattern: "(?:usage limit|rate limit)[^\\n]*?try again in (?<reset>[0-9][0-9a-z ,]*[a-z])",
      resumeInput: 'continue\r',
      defaultWaitMs: 3_600_000,
    },
  },
  gemini: {
    ...agentDefaults,
    ...realAgent('gemini'),
    name: 'Gemini CLI',
    description: 'Google Gemini CLI in its TUI, driven by its adapter (settings, trust, hooks, resume). Needs GEMINI_API_KEY.',
    argv: ['gemini'],
    quota: { pattern: '(?:quota exceeded|RESOURCE_EXHAUSTED)', resumeInput: 'continue\r', defaultWaitMs: 3_600_000 },
  },
  aider: {
    ...agentDefaults,
    name: 'Aider',
    description: 'Aider works the prompt file, commits, and exits. Not verified by Baton (its package is not on npm): see docs/agents/aider.md.',
    argv: ['sh', '-c', 'exec aider --yes-always --message-file "$BATON_PROMPT_FILE"'],
  },
  opencode: {
    ...agentDefaults,
    ...realAgent('opencode'),
    name: 'OpenCode',
    description: 'OpenCode in its TUI, driven by its adapter (config, plugin events, resume). Needs the provider key its config names.',
    argv: ['opencode'],
  },
  shell: {
    ...defaults,
    kind: 'command',
    name: 'Shell',
    description: 'A login shell in the worktree.',
    argv: ['sh', '-c', 'exec "${SHELL:-/bin/sh}" -l'],
    layout: 'split',
  },
  'baton-demo-agent': {
    ...agentDefaults,
    name: 'Baton demo agent',
    description: 'A scripted agent shipped with Baton: edits files, commits, reports progress, asks for input when told to. No API key needed.',
    argv: ['baton', 'demo-agent'],
    registration: 'agent',
    registrationTimeoutMs: 30_000,
    restart: { mode: 'on-failure', backoffMs: 1_000, maxBackoffMs: 10_000, maxRestarts: 1, resetAfterMs: null },
    stallAfterMs: 300_000,
    quota: { pattern: 'DEMO QUOTA REACHED, resets in (?<reset>\\d+\\s*[a-z]+)', resumeInput: 'continue\r', defaultWaitMs: 60_000 },
  },
};

export const BUILTIN_TEMPLATE_IDS: ReadonlySet<string> = new Set(Object.keys(BUILTIN_TEMPLATES));

export function builtinSnapshot(templateId: string): TemplateSnapshot | null {
  const spec = BUILTIN_TEMPLATES[templateId];
  return spec ? { version: BUILTIN_VERSION, builtIn: true, spec: SessionTemplateSpecSchema.parse(spec) } : null;
}
