import { z } from 'zod';
import { defineCommand } from '../define';
import { IdSchema } from '../envelope';
import { SessionTemplateSpecSchema } from './session-template.values';

/** Creates the template or adds a version; an unchanged spec adds nothing. */
export const DefineSessionTemplate = defineCommand({
  type: 'session_template.define',
  service: 'sessions',
  schema: z.strictObject({ templateId: IdSchema, projectId: IdSchema.nullable().default(null), spec: SessionTemplateSpecSchema }),
});

export const RemoveSessionTemplate = defineCommand({
  type: 'session_template.remove',
  service: 'sessions',
  schema: z.strictObject({ templateId: IdSchema }),
});

export const sessionTemplateCommands = [DefineSessionTemplate, RemoveSessionTemplate] as const;
