import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { NameSchema } from '../values';
import { PromptBodySchema, PromptVariablesSchema } from './prompt-template.values';

/** A template is global (projectId null) or belongs to one project. Its first version comes in the same decision. */
export const PromptTemplateCreated = defineEvent({
  type: 'prompt_template.created',
  aggregate: 'prompt_template',
  schema: z.object({ projectId: IdSchema.nullable(), name: NameSchema }),
});

/** Versions are immutable; a change is a new version naming the one it came from. */
export const PromptTemplateVersionAdded = defineEvent({
  type: 'prompt_template.version_added',
  aggregate: 'prompt_template',
  schema: z.object({
    versionId: IdSchema,
    /** 1 for the first version of the template. */
    number: z.number().int().positive(),
    parentVersionId: IdSchema.nullable(),
    body: PromptBodySchema,
    variables: PromptVariablesSchema,
    note: z.string().max(2_000),
  }),
});

export const PromptTemplateRenamed = defineEvent({
  type: 'prompt_template.renamed',
  aggregate: 'prompt_template',
  schema: z.object({ name: NameSchema, previousName: z.string() }),
});

export const PromptTemplateArchived = defineEvent({
  type: 'prompt_template.archived',
  aggregate: 'prompt_template',
  schema: z.object({}),
});

export const promptTemplateEvents = [PromptTemplateCreated, PromptTemplateVersionAdded, PromptTemplateRenamed, PromptTemplateArchived] as const;

export type PromptTemplateEvent =
  | EventOf<typeof PromptTemplateCreated>
  | EventOf<typeof PromptTemplateVersionAdded>
  | EventOf<typeof PromptTemplateRenamed>
  | EventOf<typeof PromptTemplateArchived>;
