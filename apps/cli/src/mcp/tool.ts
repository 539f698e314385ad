import { z } from 'zod';
import { IdSchema } from '@baton/events';
import type { Api } from '../context';

/** One MCP tool: its input as a zod shape and what it asks the REST API. */
export interface BatonTool<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** Reads change nothing; destructive tools remove or finish things. */
  kind: 'read' | 'write' | 'destructive';
  run(api: Api, args: z.output<z.ZodObject<S>>): Promise<unknown>;
}

/** Keeps each tool's arguments typed where it is written, then erases the type for the list. */
export const tool = <S extends z.ZodRawShape>(t: BatonTool<S>): BatonTool => t as unknown as BatonTool;

export const id = (what: string) => IdSchema.describe(`${what} id`);
export const optionalId = (what: string) => IdSchema.optional().describe(`${what} id`);

/** Removes undefined keys, so the API sees only what the caller gave. */
export function given<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
