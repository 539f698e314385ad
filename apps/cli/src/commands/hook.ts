import type { Command } from 'commander';
import { AGENT_ADAPTERS, adapterFor } from '@baton/agents';
import type { Ctx } from '../context';
import { handleAgentSignal, parsePayload } from '../hooks/agent-hook';
import { ownSessionId } from '../sessions/agent-env';
import { SessionApi } from '../sessions/session-api';

/**
 * `baton hook <agent> <event> [payload]`: what the hooks, notify programs and plugins Baton
 * prepares for a real agent run (libs/agents). The payload is the last argument when the agent
 * passes it that way (Codex's notify), else the JSON on stdin. Prints nothing on stdout (Claude
 * Code would add it to the context) and always exits 0 — exit 2 would block the agent's action —
 * so a Baton hiccup never stops the agent: problems go to stderr.
 */
export function registerHookCommands(program: Command, ctx: Ctx): void {
  program
    .command('hook')
    .description(`an agent's own signal, reported to Baton (agents: ${Object.keys(AGENT_ADAPTERS).join(', ')})`)
    .argument('<agent>', 'the agent: ' + Object.keys(AGENT_ADAPTERS).join(', '))
    .argument('<event>', 'the hook or plugin event')
    .argument('[payload]', 'the event as JSON (default: read from stdin)')
    .action(async (agent: string, name: string, payloadArg: string | undefined) => {
      const adapter = adapterFor(agent);
      if (!adapter) return ctx.writeErr(`baton hook: unknown agent ${agent} (known: ${Object.keys(AGENT_ADAPTERS).join(', ')})\n`);
      const event = adapter.signalEvents.find((e) => e.toLowerCase() === name.toLowerCase());
      if (!event) return ctx.writeErr(`baton hook ${agent}: unknown event ${name} (known: ${adapter.signalEvents.join(', ')})\n`);
      const payload = parsePayload(payloadArg ?? (await ctx.readStdin().catch(() => '')));
      try {
        await handleAgentSignal(new SessionApi(ctx.api()), ctx.env, ownSessionId(ctx.env), adapter, event, payload);
      } catch (e) {
        ctx.writeErr(`baton hook ${agent} ${event}: ${(e as Error).message}\n`);
      }
    });
}
