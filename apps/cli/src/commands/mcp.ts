import type { Command } from 'commander';
import type { Ctx } from '../context';
import { createMcpServer, serveStdio, toolsFor } from '../mcp/server';

export function registerMcpCommand(program: Command, ctx: Ctx, version = '0.1.0'): void {
  program
    .command('mcp')
    .description('serve Baton\'s task and session tools to an agent over MCP (stdio); uses the same URL and token as every command')
    .action(async () => {
      // Resolve the connection first: a bad URL or config file fails before the client connects.
      const api = ctx.api();
      await serveStdio(createMcpServer(api, version, toolsFor(ctx.env)));
    });
}
