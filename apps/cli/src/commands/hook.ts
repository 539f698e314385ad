import type { Command } from 'commander';
import type { Ctx } from '../context';
import { CLAUDE_HOOK_EVENTS, handleClaudeHook, parseHookInput, type ClaudeHookEvent } from '../hooks/claude-code';
import { ownSessionId } from '../sessions/agent-env';
import { SessionApi } from '../sessions/session-api';

const hookEvent = (v: string): ClaudeHookEvent | undefined => CLAUDE_HOOK_EVENTS.find((x) => x.toLowerCase() === v.toLowerCase());

/**
 * `baton hook claude-code <Event>`: what the generated Claude Code settings run. Reads the
 * hook's JSON on stdin; prints nothing on stdout (Claude Code would add it to the context)
 * and always exits 0 — exit 2 would block Claude Code's action — so a Baton hiccup (or an
 * event it does not know) never stops the agent: problems go to stderr.
 */
export function registerHookCommands(program: Command, ctx: Ctx): void {
  const hook = program.command('hook').description('agent hooks that report to Baton by themselves');
  hook
    .command('claude-code')
    .description(`a Claude Code hook: ${CLAUDE_HOOK_EVENTS.join(', ')} (reads the hook JSON on stdin)`)
    .argument('<event>', 'the hook event')
    .action(async (name: string) => {
      const event = hookEvent(name);
      if (!event) return ctx.writeErr(`baton hook claude-code: unknown event ${name} (known: ${CLAUDE_HOOK_EVENTS.join(', ')})\n`);
      const input = parseHookInput(await ctx.readStdin().catch(() => ''));
      try {
        const sessionId = ownSessionId(ctx.env);
        await handleClaudeHook(new SessionApi(ctx.api()), ctx.env, sessionId, event, input);
      } catch (e) {
        ctx.writeErr(`baton hook claude-code ${event}: ${(e as Error).message}\n`);
      }
    });
}
