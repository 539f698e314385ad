import { z } from 'zod';
import { MinSeq, CommandAccepted } from './common';

/*
 * The review loop's git side (apps/gateway/src/review): the gateway proxies these to the
 * runner that holds the attempt's worktree (apps/runner/src/http), which owns the diff
 * format below and merges atomically (decision 0009).
 */

export const DiffQuery = z.strictObject({
  uncommitted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .prefault('false')
    .describe('Also what the agent has not committed yet.'),
  minSeq: MinSeq,
});

const DiffLine = z.strictObject({
  kind: z.enum(['context', 'add', 'del']),
  text: z.string(),
  oldLine: z.number().int().optional(),
  newLine: z.number().int().optional(),
  noNewline: z.literal(true).optional(),
});
const DiffHunk = z.strictObject({
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  section: z.string(),
  lines: z.array(DiffLine),
});
export const FileDiff = z.strictObject({
  path: z.string(),
  oldPath: z.string().nullable(),
  status: z.enum(['added', 'modified', 'deleted', 'renamed', 'copied', 'type_changed']),
  binary: z.boolean(),
  additions: z.number().int(),
  deletions: z.number().int(),
  hunks: z.array(DiffHunk),
});
export type FileDiff = z.output<typeof FileDiff>;
export const AttemptDiff = z.strictObject({
  attemptId: z.string(),
  runnerId: z.string(),
  files: z.array(FileDiff),
});
export type AttemptDiff = z.output<typeof AttemptDiff>;

export const MergeRequest = z
  .strictObject({
    strategy: z.enum(['squash', 'merge']).default('squash'),
    message: z.string().trim().min(1, 'must not be empty').max(10_000).optional().describe("The commit message; default: the task's title."),
    author: z.strictObject({ name: z.string().trim().min(1).max(200), email: z.string().trim().min(3).max(320) }).optional(),
    finishAttempt: z.boolean().default(true).describe('Then finish the attempt as merged (the task becomes done).'),
  })
  .optional();
export type MergeRequest = z.input<typeof MergeRequest>;

export const MergeResult = z.strictObject({
  attemptId: z.string(),
  runnerId: z.string(),
  commit: z.string().describe("The base branch's new tip (its old tip when there was nothing to merge)."),
  previousCommit: z.string(),
  changed: z.boolean().describe('False when the base already held every change.'),
  finished: CommandAccepted.nullable().describe('The attempt finished as merged (null when not asked).'),
});
export type MergeResult = z.output<typeof MergeResult>;
