import { z } from 'zod';
import { defineEvent, type EventOf } from '../define';
import { IdSchema } from '../envelope';
import { SessionTemplateSpecSchema } from './session-template.values';

/*
 * A project's session templates (subject `session_template.<id>`). Every definition is a
 * new immutable version; sessions pin the version they were requested with. Built-in
 * templates (claude-code, codex, …) are code in the sessions service, not events.
 */

export const SessionTemplateDefined = defineEvent({
  type: 'session_template.defined',
  aggregate: 'session_template',
  schema: z.object({
    /** null: available to every project. */
    projectId: IdSchema.nullable(),
    /** 1 for the first definition. */
    version: z.number().int().positive(),
    spec: SessionTemplateSpecSchema,
  }),
});

export const SessionTemplateRemoved = defineEvent({
  type: 'session_template.removed',
  aggregate: 'session_template',
  schema: z.object({}),
});

export const sessionTemplateEvents = [SessionTemplateDefined, SessionTemplateRemoved] as const;
export type SessionTemplateEvent = EventOf<typeof SessionTemplateDefined> | EventOf<typeof SessionTemplateRemoved>;
