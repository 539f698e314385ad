import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { EnvSchema, NameSchema, RepositoryInputSchema } from '../values';

export const CreateProject = defineCommand({
  type: 'project.create',
  service: 'tasks',
  schema: z.strictObject({
    projectId: IdSchema,
    name: NameSchema,
    repository: RepositoryInputSchema,
    concurrencyLimit: z.number().int().positive().max(1000).nullable().default(null),
    env: EnvSchema.default({}),
  }),
});

export const RenameProject = defineCommand({
  type: 'project.rename',
  service: 'tasks',
  schema: z.strictObject({ projectId: IdSchema, name: NameSchema }),
});

export const ArchiveProject = defineCommand({
  type: 'project.archive',
  service: 'tasks',
  schema: z.strictObject({ projectId: IdSchema }),
});

export const ChangeProjectSettings = defineCommand({
  type: 'project.change_settings',
  service: 'tasks',
  schema: z
    .strictObject({
      projectId: IdSchema,
      repository: RepositoryInputSchema.optional(),
      concurrencyLimit: z.number().int().positive().max(1000).nullable().optional(),
      env: EnvSchema.optional(),
      startupSequence: z.array(IdSchema).max(50).optional(),
      shutdownSequence: z.array(IdSchema).max(50).optional(),
    })
    .refine((d) => Object.keys(d).length > 1, { message: 'change at least one setting' }),
});

export const UnarchiveProject = defineCommand({
  type: 'project.unarchive',
  service: 'tasks',
  schema: z.strictObject({ projectId: IdSchema }),
});

export const DeleteProject = defineCommand({
  type: 'project.delete',
  service: 'tasks',
  schema: z.strictObject({ projectId: IdSchema }),
});

export const projectCommands = [CreateProject, RenameProject, ArchiveProject, ChangeProjectSettings, UnarchiveProject, DeleteProject] as const;
