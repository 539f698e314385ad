import { z } from 'zod';

/** `{{ name }}` in a body. Declared variables are plain names; `task.*` names are built in. */
export const PromptVariableNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits and "_", starting with a letter');

export const PromptVariableSchema = z.object({
  name: PromptVariableNameSchema,
  description: z.string().max(500).default(''),
  /** Used when rendering gives no value; null: a value is required. */
  default: z.string().max(20_000).nullable().default(null),
});
export type PromptVariable = z.output<typeof PromptVariableSchema>;

export const PromptVariablesSchema = z
  .array(PromptVariableSchema)
  .max(50, 'at most 50 variables')
  .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, 'variable names must be unique');

export const PromptBodySchema = z.string().trim().min(1, 'must not be empty').max(100_000, 'must be at most 100000 characters');
export const VersionNoteSchema = z.string().trim().max(2_000).default('');
