import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { EnvSchema, NameSchema, RepositorySchema } from '../values';

const ProjectCreatedV1 = z.object({
  name: z.string(),
  repositoryPath: z.string(),
  defaultBranch: z.string().optional(),
});

/**
 * v1 stored a bare `repositoryPath`; v2 groups location and default branch and
 * adds limits and env. The upcaster fills what v1 never said with its defaults.
 */
export const ProjectCreated = defineEvent({
  type: 'project.created',
  aggregate: 'project',
  version: 2,
  schema: z.object({
    name: NameSchema,
    repository: RepositorySchema,
    concurrencyLimit: z.number().int().positive().max(1000).nullable(),
    env: EnvSchema,
  }),
  past: [
    {
      version: 1,
      schema: ProjectCreatedV1,
      upcast: (v1: z.output<typeof ProjectCreatedV1>) => ({
        name: v1.name,
        repository: { location: v1.repositoryPath, defaultBranch: v1.defaultBranch ?? 'main' },
        concurrencyLimit: null,
        env: {},
      }),
    },
  ],
});

export const ProjectRenamed = defineEvent({
  type: 'project.renamed',
  aggregate: 'project',
  schema: z.object({ name: NameSchema, previousName: z.string() }),
});

export const ProjectSettingsChanged = defineEvent({
  type: 'project.settings_changed',
  aggregate: 'project',
  schema: z.object({
    repository: RepositorySchema.optional(),
    concurrencyLimit: z.number().int().positive().max(1000).nullable().optional(),
    env: EnvSchema.optional(),
    startupSequence: z.array(z.string().min(1)).max(50).optional(),
    shutdownSequence: z.array(z.string().min(1)).max(50).optional(),
  }),
});

export const ProjectArchived = defineEvent({ type: 'project.archived', aggregate: 'project', schema: z.object({}) });
export const ProjectUnarchived = defineEvent({ type: 'project.unarchived', aggregate: 'project', schema: z.object({}) });
export const ProjectDeleted = defineEvent({ type: 'project.deleted', aggregate: 'project', schema: z.object({}) });

export const projectEvents = [ProjectCreated, ProjectRenamed, ProjectSettingsChanged, ProjectArchived, ProjectUnarchived, ProjectDeleted] as const;

export type ProjectEvent =
  | EventOf<typeof ProjectCreated>
  | EventOf<typeof ProjectRenamed>
  | EventOf<typeof ProjectSettingsChanged>
  | EventOf<typeof ProjectArchived>
  | EventOf<typeof ProjectUnarchived>
  | EventOf<typeof ProjectDeleted>;
