import type { Command } from 'commander';
import type { MergeTrainStatus } from '@baton/contracts';
import { CliError } from '../api-client';
import { emit, type Ctx } from '../context';
import { projectPath, writtenBy, type JsonOpt } from './shared';
import { choice, defined, intBetween, parseId, withJson, withMinSeq } from '../options';

/** How long ago, from `now`: `42s`, `7m`, `3h`. */
export function since(iso: string | null, now: number): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1_000));
  return s < 120 ? `${s}s` : s < 7_200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3_600)}h`;
}

/** Each train: its batch, then every car in order with what it is doing or why it waits and for how long; cars sent back; the last batches. */
export function formatMergeTrain(s: MergeTrainStatus, now = Date.now()): string {
  const { settings: t } = s;
  const lines = [
    `merge train — ${t.integration}, check: ${t.checkCommand ? JSON.stringify(t.checkCommand) : 'none'}, batches of up to ${t.maxBatch}, ${t.maxFixRounds} fix round(s) by the ${t.fixer}`,
  ];
  if (!s.trains.length) lines.push('', 'no train yet: completed attempts join the train of the branch they started from');
  for (const train of s.trains) {
    lines.push('', `${train.target}:`);
    const b = train.batch;
    if (b) lines.push(`  batch ${b.number}${b.bisecting ? ' (half of a failed batch)' : ''}: ${b.phase}${b.base ? ` on ${b.base.slice(0, 12)}` : ''}${b.checkSessionId ? `, check session ${b.checkSessionId}` : ''}${b.startedAt ? `, for ${since(b.startedAt, now)}` : ''}`);
    if (!train.cars.length) lines.push('  no car waiting');
    for (const c of train.cars) {
      const waited = since(c.joinedAt, now);
      lines.push(`  ${String(c.position).padStart(2)}. ${c.taskNumber !== null ? `#${c.taskNumber} ` : ''}${c.title} [${c.state}] ${c.branch} — ${c.why}${waited ? ` (joined ${waited} ago)` : ''}${c.rounds ? `, ${c.rounds} fix round(s)` : ''}`);
    }
    if (train.groups.length) lines.push(`  still to try after a failed batch: ${train.groups.map((g) => `[${g.join(', ')}]`).join(' then ')}`);
    for (const r of train.returned) {
      lines.push(`  ↩ ${r.branch} back to ${r.toPerson ? 'A PERSON' : 'its agent'} (${r.why.replace('_', ' ')}, round ${r.round}, ${since(r.at, now)} ago): ${r.message}`);
    }
    for (const r of train.recent.slice(-5)) lines.push(`  · batch ${r.number ?? r.batchId} ${r.outcome}${r.commit ? ` at ${r.commit.slice(0, 12)}` : ''}: ${r.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerMergeTrainCommands(program: Command, ctx: Ctx): void {
  const train = program.command('merge-train').description('land completed attempts in order: put each on the newest target, check it, fast-forward; conflicts back to the agent');
  const written = writtenBy(ctx);

  withMinSeq(withJson(train.command('status').description('the trains of a project: cars in order, what each is doing or why it waits, and since when').argument('<project>', 'project id', parseId))).action(
    async (projectId: string, o: JsonOpt & { minSeq?: number }) => {
      const status = await ctx.api().get<MergeTrainStatus>(`${projectPath(projectId)}/merge-train`, { minSeq: o.minSeq });
      emit(ctx, o.json, status, () => formatMergeTrain(status));
    },
  );

  withJson(
    train
      .command('configure')
      .description("change the project's train settings")
      .argument('<project>', 'project id', parseId)
      .addOption(choice('--integration <how>', 'how a car is put on the target', ['squash', 'rebase', 'merge']))
      .option('--check <command>', 'run with sh -c on each batch result; the target moves only if it exits 0')
      .option('--no-check', 'no check')
      .option('--check-timeout <seconds>', 'the check fails after this long (10-86400)', intBetween(10, 86_400))
      .option('--max-batch <n>', 'cars taken together when several wait (1-32)', intBetween(1, 32))
      .option('--max-fix-rounds <n>', 'conflicts and failed checks sent back to the agent before a person is asked (0-10)', intBetween(0, 10))
      .addOption(choice('--fixer <who>', 'who fixes a conflict or a failed check', ['agent', 'person'])),
  ).action(
    async (
      projectId: string,
      o: JsonOpt & { integration?: string; check?: string | boolean; checkTimeout?: number; maxBatch?: number; maxFixRounds?: number; fixer?: string },
    ) => {
      // commander: --check <cmd> gives a string, --no-check false, neither true (the default of a negatable option).
      const checkCommand = typeof o.check === 'string' ? o.check : o.check === false ? null : undefined;
      const body = defined({ integration: o.integration, checkCommand, checkTimeoutSeconds: o.checkTimeout, maxBatch: o.maxBatch, maxFixRounds: o.maxFixRounds, fixer: o.fixer });
      if (!Object.keys(body).length) throw new CliError('name at least one setting: --integration, --check/--no-check, --check-timeout, --max-batch, --max-fix-rounds, --fixer', 2);
      written(o, await ctx.api().patch(`${projectPath(projectId)}/merge-train`, body), `merge train of project ${projectId} configured`);
    },
  );
}
