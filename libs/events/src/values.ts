import { z } from 'zod';
import { REPOSITORY_LOCATION_FORMS, repositoryLocationProblem } from './project/repository-location';

export { REPOSITORY_LOCATION_FORMS, repositoryLocationProblem };

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
/** A location runners may clone (see repository-location.ts for the allow-list and why). */
export const RepositoryLocationSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2_000, 'must be at most 2000 characters')
  .superRefine((location, ctx) => {
    const problem = repositoryLocationProblem(location);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(`The repository runners clone: ${REPOSITORY_LOCATION_FORMS}.`);
/**
 * A repository as events and runner messages carry it. Decoding stays lenient, so a location
 * stored before the allow-list still reads (the runner refuses to clone it); what a command
 * or request sets goes through `RepositoryInputSchema`.
 */
export const RepositorySchema = z.object({
  /** A local path or a URL the runners clone. */
  location: z.string().trim().min(1, 'must not be empty').max(2_000),
  defaultBranch: BranchSchema,
});
export type Repository = z.infer<typeof RepositorySchema>;
/** A repository a command or request sets: its location must be on the allow-list. */
export const RepositoryInputSchema = RepositorySchema.extend({ location: RepositoryLocationSchema });
