import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CliError } from '../api-client';
import type { Api } from '../context';
import type { Env } from '../context';
import { AGENT_OVERRIDES, agentTools } from './agent-tools';
import { projectTools } from './project-tools';
import { taskTools } from './task-tools';
import type { BatonTool } from './tool';

/**
 * Every tool for this environment. Inside a session (BATON_SESSION_ID) `complete_task` and
 * `fail_task` report through the session, on its own task by default, as `baton task
 * complete|fail` do there; outside one they are the operator's, on any task.
 */
export function toolsFor(env: Env): readonly BatonTool[] {
  const agent = agentTools(env);
  const inSession = Boolean(env.BATON_SESSION_ID);
  const operator = taskTools.filter((t) => !(inSession && AGENT_OVERRIDES.has(t.name)));
  const mine = agent.filter((t) => inSession || !AGENT_OVERRIDES.has(t.name));
  return [...projectTools, ...operator, ...mine];
}

export const mcpTools: readonly BatonTool[] = toolsFor({});

/** What the API answered, as text for the model (and as structured content when it is an object). */
export function toolResult(value: unknown): CallToolResult {
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  const text = JSON.stringify(value ?? null, null, 2);
  const structured = value !== null && typeof value === 'object' && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {};
  return { content: [{ type: 'text', text }], ...structured };
}

/** A refusal is a tool error the model can read and act on, never a crash of the server. */
export function toolError(e: unknown): CallToolResult {
  const status = e instanceof CliError && e.status ? ` (HTTP ${e.status})` : '';
  return { content: [{ type: 'text', text: `${e instanceof Error ? e.message : String(e)}${status}` }], isError: true };
}

export function createMcpServer(api: Api, version: string, tools: readonly BatonTool[] = mcpTools): McpServer {
  const server = new McpServer(
    { name: 'baton', title: 'Baton', version },
    {
      instructions:
        'Baton: projects, tasks with dependencies, attempts and their conversations; sessions. Ids come from list_* and create_* results. ' +
        'Inside a session: register_session once, then report_progress / report_milestone / needs_input as you work, complete_task or fail_task for each task (queue strategy: queue_next until empty), report_status completed at the end.',
    },
  );
  for (const t of tools) {
    server.registerTool(
      t.name,
      {
        title: t.title,
        description: t.description,
        inputSchema: t.input,
        annotations: { readOnlyHint: t.kind === 'read', destructiveHint: t.kind === 'destructive', openWorldHint: false },
      },
      (args: Record<string, unknown>) => t.run(api, args).then(toolResult, toolError),
    );
  }
  return server;
}

/**
 * Serves MCP on stdin/stdout until the client closes its end; requests already read are
 * answered first. Stdout is the protocol: nothing else may write there.
 */
export async function serveStdio(server: McpServer): Promise<void> {
  const toStderr = (...a: unknown[]) => console.error(...a);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const transport = new StdioServerTransport();
  await server.connect(transport);

  const pending = new Set<string | number>();
  let idle = () => {};
  const received = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    received?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined && pending.delete(message.id) && !pending.size) idle();
  };

  await new Promise<void>((resolve) => {
    const closed = transport.onclose;
    transport.onclose = () => {
      closed?.();
      resolve();
    };
    process.stdin.once('end', () => {
      const close = () => void server.close().then(resolve, resolve);
      if (pending.size) idle = close;
      else close();
    });
  });
}
