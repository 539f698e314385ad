import { z } from 'zod';
import { BranchSchema, EnvSchema, IdSchema, NameSchema, RepositoryInputSchema, RepositoryLocationSchema } from '@baton/events';
import { Limit, MinSeq, Offset, pageOf } from './common';

/** POST /api/projects — what a client sends (unknown fields refused). */
export const CreateProjectRequest = z.strictObject({
  name: NameSchema,
  repository: z.strictObject({
    location: RepositoryLocationSchema,
    defaultBranch: BranchSchema.default('main'),
  }),
  concurrencyLimit: z.number().int().positive().max(1000).nullable().default(null),
  env: EnvSchema.default({}),
});
export type CreateProjectRequest = z.input<typeof CreateProjectRequest>;

export const RenameProjectRequest = z.strictObject({ name: NameSchema });

/** PATCH /api/projects/:id — `project.change_settings`; name at least one. */
export const ChangeProjectSettingsRequest = z
  .strictObject({
    repository: RepositoryInputSchema.strict().optional(),
    concurrencyLimit: z.number().int().positive().max(1000).nullable().optional(),
    env: EnvSchema.optional(),
    startupSequence: z.array(IdSchema).max(50).optional().describe('Session template ids started, in order, when the project starts.'),
    shutdownSequence: z.array(IdSchema).max(50).optional(),
  })
  .refine((d) => Object.values(d).some((v) => v !== undefined), 'change at least one of repository, concurrencyLimit, env, startupSequence, shutdownSequence');

export const ListProjectsQuery = z.strictObject({
  status: z.enum(['active', 'archived']).optional(),
  limit: Limit(500, 50),
  offset: Offset,
  minSeq: MinSeq,
});

export const ProjectView = z.strictObject({
  id: z.string(),
  name: z.string(),
  repository: z.strictObject({ location: z.string(), defaultBranch: z.string() }),
  concurrencyLimit: z.number().int().nullable(),
  envKeys: z.array(z.string()).describe('Names of the environment variables; values are never shown.'),
  status: z.enum(['active', 'archived', 'deleted']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProjectView = z.output<typeof ProjectView>;

export const ProjectPage = pageOf(ProjectView);
