#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError } from './api-client';
import { registerAdminCommands } from './commands/admin';
import { registerAttemptCommands } from './commands/attempt';
import { registerAutopilotCommands } from './commands/autopilot';
import { registerCompletionCommand } from './commands/completion';
import { registerConfigCommands } from './commands/config';
import { registerDataCommands } from './commands/data';
import { registerDemoAgentCommand } from './commands/demo-agent';
import { registerHookCommands } from './commands/hook';
import { registerMcpCommand } from './commands/mcp';
import { registerMergeTrainCommands } from './commands/merge-train';
import { registerNotifyCommands } from './commands/notify';
import { registerProjectCommands } from './commands/project';
import { registerPromptCommands } from './commands/prompt';
import { registerQueueCommands } from './commands/queue';
import { registerReportCommands } from './commands/report';
import { registerSessionCommands } from './commands/session';
import { registerTaskCommands } from './commands/task';
import { registerUserCommands } from './commands/user';
import { processCtx, type Ctx } from './context';

export const VERSION = '0.1.0';

export function buildProgram(ctx: Ctx = processCtx()): Command {
  const program = new Command('baton')
    .description('Run, watch and steer many coding agents.\nConnects to BATON_API_URL with BATON_TOKEN, or what `baton login` saved.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.write(s), writeErr: (s) => ctx.writeErr(s) })
    .showHelpAfterError('(add --help for usage)');
  registerProjectCommands(program, ctx);
  registerTaskCommands(program, ctx);
  registerAutopilotCommands(program, ctx);
  registerMergeTrainCommands(program, ctx);
  registerAttemptCommands(program, ctx);
  registerPromptCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerReportCommands(program, ctx);
  registerQueueCommands(program, ctx);
  registerHookCommands(program, ctx);
  registerDemoAgentCommand(program, ctx);
  registerDataCommands(program, ctx);
  registerConfigCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerNotifyCommands(program, ctx);
  registerAdminCommands(program, ctx);
  registerMcpCommand(program, ctx, VERSION);
  registerCompletionCommand(program, ctx);
  return program;
}

/** Runs one command line; the exit code: 0 done, 2 bad input, 1 anything else. */
export async function run(argv: string[], ctx: Ctx = processCtx()): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed its own message; usage errors are bad input.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      ctx.writeErr(`baton: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.writeErr(`baton: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
