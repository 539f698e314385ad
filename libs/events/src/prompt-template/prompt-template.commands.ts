import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { NameSchema } from '../values';
import { PromptBodySchema, PromptVariablesSchema, VersionNoteSchema } from './prompt-template.values';

export const CreatePromptTemplate = defineCommand({
  type: 'prompt_template.create',
  service: 'tasks',
  schema: z.strictObject({
    templateId: IdSchema,
    projectId: IdSchema.nullable().default(null),
    name: NameSchema,
    /** Id of the first version. */
    versionId: IdSchema,
    body: PromptBodySchema,
    variables: PromptVariablesSchema.default([]),
    note: VersionNoteSchema,
  }),
});

export const AddPromptTemplateVersion = defineCommand({
  type: 'prompt_template.add_version',
  service: 'tasks',
  schema: z.strictObject({
    templateId: IdSchema,
    versionId: IdSchema,
    /** Default: the latest version. */
    parentVersionId: IdSchema.optional(),
    body: PromptBodySchema,
    variables: PromptVariablesSchema.default([]),
    note: VersionNoteSchema,
  }),
});

export const RenamePromptTemplate = defineCommand({
  type: 'prompt_template.rename',
  service: 'tasks',
  schema: z.strictObject({ templateId: IdSchema, name: NameSchema }),
});

export const ArchivePromptTemplate = defineCommand({
  type: 'prompt_template.archive',
  service: 'tasks',
  schema: z.strictObject({ templateId: IdSchema }),
});

export const promptTemplateCommands = [CreatePromptTemplate, AddPromptTemplateVersion, RenamePromptTemplate, ArchivePromptTemplate] as const;
