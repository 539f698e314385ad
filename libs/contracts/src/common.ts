import { z } from 'zod';
import { IdSchema } from '@baton/events';

/** Every read takes `minSeq`: the `seq` a write answered, so a client reads its own writes. */
export const MinSeq = z.coerce
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('Wait until the read model has applied this stream sequence (the `seq` a write returned).');

export const ReadQuery = z.strictObject({ minSeq: MinSeq });

export const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback).describe(`At most this many items (1–${max}).`);
export const Offset = z.coerce.number().int().min(0).default(0).describe('Skip this many items.');

export const IdParams = z.strictObject({ id: IdSchema });

/** `true` or `false` in a query string (default false). */
export const QueryFlag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .prefault('false');

/** Answer to an accepted command: what changed and the sequence to read it back at. */
export const CommandAccepted = z.strictObject({
  id: z.string().describe('The id of what the command was about (the new task, attempt, project…).'),
  commandId: z.string(),
  seq: z.number().int().describe('Highest stream sequence written; pass it as `minSeq` to read your own write.'),
  events: z.array(z.strictObject({ id: z.string(), type: z.string(), seq: z.number().int() })),
});
export type CommandAccepted = z.output<typeof CommandAccepted>;

/** The one error shape every HTTP answer uses. */
export const ApiErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('validation | unauthorized | forbidden | not_found | conflict | invalid_state | payload_too_large | …'),
    message: z.string(),
    fields: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional().describe('For 400: each offending field, by path.'),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ApiErrorBody = z.output<typeof ApiErrorBody>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
