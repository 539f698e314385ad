import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { IdSchema } from '@baton/events';
import { CliError } from './api-client';
import type { Ctx } from './context';

/*
 * Value parsers for commander: a bad value is an InvalidArgumentError, which commander
 * reports with the option's name and the CLI turns into exit code 2.
 */

const isId = (v: string) => IdSchema.safeParse(v).success;

export function parseId(v: string): string {
  if (!isId(v)) throw new InvalidArgumentError('must be an id of 1-64 letters, digits, "_" or "-"');
  return v;
}

export function positiveInt(v: string): number {
  if (!/^[1-9][0-9]*$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('must be a positive whole number');
  return Number(v);
}

export function nonNegativeInt(v: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(v);
}

/** A whole number from `lo` to `hi` (both included), read by `parse` first. */
export const intBetween =
  (lo: number, hi: number, parse: (v: string) => number = lo > 0 ? positiveInt : nonNegativeInt) =>
  (v: string): number => {
    const n = parse(v);
    if (n < lo || n > hi) throw new InvalidArgumentError(`must be ${lo} to ${hi}`);
    return n;
  };

/** 0 (most urgent) to 4; `P1` and `p1` read as 1. */
export function parsePriority(v: string): number {
  const m = /^[Pp]?([0-4])$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('must be 0 (most urgent) to 4, or P0 to P4');
  return Number(m[1]);
}

/** For repeatable options: `--label a --label b`. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `KEY=VALUE`, repeatable, into one record. */
export function keyValue(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = v.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`must be NAME=VALUE, got "${v}"`);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
}

/** `TASK_ID` or `TASK_ID:condition`, repeatable. */
export function dependencySpec(conditions: readonly string[]) {
  return (v: string, prev: { taskId: string; condition: string }[] = []) => {
    const [taskId, condition = 'success', ...rest] = v.split(':');
    if (rest.length || !isId(taskId)) throw new InvalidArgumentError(`must be TASK_ID or TASK_ID:CONDITION, got "${v}"`);
    if (!conditions.includes(condition)) throw new InvalidArgumentError(`condition must be one of ${conditions.join(', ')}, got "${condition}"`);
    return [...prev, { taskId, condition }];
  };
}

export const choice = (flags: string, description: string, values: readonly string[]) => new Option(flags, description).choices(values);

export const withJson = (cmd: Command) => cmd.option('--json', 'print JSON for scripts');
export const withMinSeq = (cmd: Command) => cmd.option('--min-seq <seq>', 'wait until the read model has applied this sequence (from a write)', nonNegativeInt);

/** Text from `--x <text>` or `--x-file <path>` (`-` reads standard input). */
export async function textFrom(ctx: Ctx, inline: string | undefined, file: string | undefined, what: string): Promise<string | undefined> {
  if (inline !== undefined && file !== undefined) throw new CliError(`give the ${what} inline or as a file, not both`, 2);
  if (file === undefined) return inline;
  return readInput(ctx, file);
}

export async function readInput(ctx: Ctx, file: string): Promise<string> {
  if (file === '-') return ctx.readStdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
}

export async function readJsonInput(ctx: Ctx, file: string): Promise<unknown> {
  const text = await readInput(ctx, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${file === '-' ? 'standard input' : file} is not valid JSON: ${(e as Error).message}`, 2);
  }
}

/** Keeps only the keys that were given, so PATCH bodies name just what changes. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
