import { z } from 'zod';
import { AddPromptTemplateVersion, CreatePromptTemplate, IdSchema, NameSchema } from '@baton/events';
import { CommandAccepted, Limit, MinSeq, Offset, pageOf, QueryFlag } from './common';

/** POST /api/prompt-templates — the template with its first version. */
export const CreatePromptTemplateRequest = CreatePromptTemplate.schema.omit({ templateId: true, versionId: true });
export const AddPromptVersionRequest = AddPromptTemplateVersion.schema.omit({ templateId: true, versionId: true });
export const RenamePromptTemplateRequest = z.strictObject({ name: NameSchema });
export const RenderPromptRequest = z.strictObject({ taskId: IdSchema, values: z.record(z.string(), z.string().max(20_000)).default({}) });

export const ListPromptTemplatesQuery = z.strictObject({
  projectId: IdSchema.optional().describe("This project's templates and the global ones; absent: global ones only."),
  includeArchived: QueryFlag,
  limit: Limit(500, 100),
  offset: Offset,
  minSeq: MinSeq,
});

/** A created template or version also names the version. */
export const PromptVersionAccepted = CommandAccepted.extend({ versionId: z.string() });

const Variable = z.strictObject({ name: z.string(), description: z.string(), default: z.string().nullable() });
export const PromptVersionView = z.strictObject({
  id: z.string(),
  templateId: z.string(),
  number: z.number().int(),
  parentVersionId: z.string().nullable(),
  body: z.string(),
  variables: z.array(Variable),
  note: z.string(),
  createdAt: z.string(),
});
export type PromptVersionView = z.output<typeof PromptVersionView>;

export const PromptTemplateSummary = z.strictObject({
  id: z.string(),
  projectId: z.string().nullable(),
  name: z.string(),
  status: z.enum(['active', 'archived']),
  latestVersionId: z.string().nullable(),
  versionCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const PromptTemplateView = PromptTemplateSummary.extend({ versions: z.array(PromptVersionView) });
export type PromptTemplateView = z.output<typeof PromptTemplateView>;
export const PromptTemplatePage = pageOf(PromptTemplateSummary);

export const RenderedPrompt = z.strictObject({ promptVersionId: z.string(), taskId: z.string(), text: z.string() });
