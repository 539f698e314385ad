/**
 * Claude Code settings with hooks that report to Baton by themselves (DESIGN §5), loaded
 * with `claude --settings <file>`: nothing is written into the worktree. Each hook runs
 * `baton hook claude-code <Event>`, which reads the hook's JSON on stdin and reports:
 * SessionStart → register; UserPromptSubmit → working; Notification → needs_input;
 * Stop → idle, plus the usage read from the transcript (`transcript_path`).
 */
export const CLAUDE_HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'Notification', 'Stop'] as const;

export function claudeCodeSettings(): string {
  const hook = (event: string) => [{ hooks: [{ type: 'command', command: `"\${BATON_CLI:-baton}" hook claude-code ${event}`, timeout: 30 }] }];
  const hooks = Object.fromEntries(CLAUDE_HOOK_EVENTS.map((e) => [e, hook(e)]));
  return `${JSON.stringify({ hooks }, null, 2)}\n`;
}
