import type { Command } from 'commander';
import { CliError } from '../api-client';
import type { Ctx } from '../context';
import { runDemoAgent } from '../demo-agent/demo-agent';

/** `baton demo-agent`: the scripted agent of the `baton-demo-agent` template. */
export function registerDemoAgentCommand(program: Command, ctx: Ctx): void {
  program
    .command('demo-agent')
    .description(
      'a scripted agent that really works its tasks in its worktree (a file per task, a commit, progress, questions) with no API key; ' +
        'run by the baton-demo-agent template. Task directives: [fail] [fail-once] [ask] [needs-input: q] [slow:N] [long] [fast] [spawn-workers:N] [conflict] [plan] [quota]',
    )
    .option('--manifest <file>', 'the session manifest (JSON; default: $BATON_MANIFEST_JSON or $BATON_MANIFEST)')
    .action(async (o: { manifest?: string }) => {
      const result = await runDemoAgent({
        env: ctx.env,
        cwd: process.cwd(),
        api: ctx.api(),
        out: process.stdout,
        input: process.stdin,
        manifestPath: o.manifest,
      });
      if (!result.ok) throw new CliError(result.summary, 1);
    });
}
