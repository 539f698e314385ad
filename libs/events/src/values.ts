import { z } from 'zod';

export const NameSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const TextSchema = z.string().max(20_000, 'must be at most 20000 characters');
export const BranchSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/, 'must be a valid git branch name');
/** Environment variable names the way POSIX shells accept them. */
export const EnvSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name').max(128), z.string().max(10_000))
  .refine((env) => Object.keys(env).length <= 200, 'at most 200 variables');
export const RepositorySchema = z.object({
  /** A local path or a URL the runners clone. */
  location: z.string().trim().min(1, 'must not be empty').max(2_000),
  defaultBranch: BranchSchema,
});
export type Repository = z.infer<typeof RepositorySchema>;
