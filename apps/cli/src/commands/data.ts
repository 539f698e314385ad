import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ImportAccepted, ProjectMetrics } from '@baton/contracts';
import { CliError } from '../api-client';
import { emit, type Ctx } from '../context';
import { parseId, readJsonInput, withJson, withMinSeq } from '../options';
import { formatJson, formatRecord } from '../output';
import { projectPath, type JsonOpt } from './shared';

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`, durations in words. */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = typeof v === 'number' && /Ms$/.test(k) ? formatDuration(v) : typeof v === 'number' && /Rate$/.test(k) ? `${Math.round(v * 1000) / 10}%` : v;
  }
  return out;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .slice(0, 2)
      .map(([n, u]) => `${n}${u}`)
      .join(' ') || '0s'
  );
}

/** `baton metrics`, `baton export`, `baton import`: a project's numbers and its plan as a file. */
export function registerDataCommands(program: Command, ctx: Ctx): void {
  withMinSeq(
    withJson(
      program
        .command('metrics')
        .description("a project's numbers: tasks by status, time to done, failure rate, attempts per task")
        .argument('<project>', 'project id', parseId)
        .option('--csv', 'print CSV'),
    ),
  ).action(async (id: string, o: { csv?: boolean; minSeq?: number } & JsonOpt) => {
    if (o.csv && o.json) throw new CliError('give --csv or --json, not both', 2);
    if (o.csv) {
      const csv = await ctx.api().get<string>(`${projectPath(id)}/metrics.csv`, { minSeq: o.minSeq }, { text: true });
      ctx.write(csv.endsWith('\n') ? csv : `${csv}\n`);
      return;
    }
    const m = await ctx.api().get<ProjectMetrics>(`${projectPath(id)}/metrics`, { minSeq: o.minSeq });
    emit(ctx, o.json, m, () => {
      const flat = flatten(m);
      return formatRecord(flat, Object.keys(flat));
    });
  });

  withMinSeq(
    program
      .command('export')
      .description("a project's plan (task tree, dependencies, details) as JSON")
      .argument('<project>', 'project id', parseId)
      .option('--out <file>', 'write it to this file instead of standard output'),
  ).action(async (id: string, o: { out?: string; minSeq?: number }) => {
    const tree = await ctx.api().get<unknown>(`${projectPath(id)}/export`, { minSeq: o.minSeq });
    if (!o.out) return ctx.write(formatJson(tree));
    try {
      writeFileSync(o.out, formatJson(tree));
    } catch (e) {
      throw new CliError(`cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
    }
  });

  withJson(
    program
      .command('import')
      .description('add the tasks of an exported plan to a project')
      .argument('<project>', 'project id', parseId)
      .argument('<file>', 'a file written by `baton export` ("-": standard input)')
      .option('--parent <task>', 'import under this task instead of at the top level', parseId),
  ).action(async (id: string, file: string, o: { parent?: string } & JsonOpt) => {
    const tree = await readJsonInput(ctx, file);
    const res = await ctx.api().post<ImportAccepted>(`${projectPath(id)}/import`, tree, { query: { parentId: o.parent } });
    emit(ctx, o.json, res, () => `imported ${res.tasks.length} tasks into project ${id}\n`);
  });
}
