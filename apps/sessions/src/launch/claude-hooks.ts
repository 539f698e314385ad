import { CLAUDE_SIGNAL_EVENTS, claudeHooks } from '@baton/agents';

/**
 * Claude Code settings for a template that runs its own argv with `hooks: 'claude-code'` (no
 * adapter), loaded with `claude --settings <file>`: nothing is written into the worktree. The
 * hooks are the adapter's own (libs/agents claude-code), so both read status the same way.
 */
export const CLAUDE_HOOK_EVENTS = CLAUDE_SIGNAL_EVENTS;

export function claudeCodeSettings(): string {
  return `${JSON.stringify({ hooks: claudeHooks('"${BATON_CLI:-baton}"') }, null, 2)}\n`;
}
