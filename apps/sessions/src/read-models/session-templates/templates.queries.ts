import { z } from 'zod';
import { In, IsNull } from 'typeorm';
import { DomainError, IdSchema, redactSecretEnv, secretEnvNames, type TemplateSnapshot } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { BUILTIN_TEMPLATES, builtinSnapshot } from '../../session-template/builtin-templates';
import { TemplateRowEntity, type TemplateRow } from './template-row.entity';

export interface TemplateView {
  id: string;
  projectId: string | null;
  builtIn: boolean;
  version: number;
  name: string;
  kind: 'agent' | 'command';
  autoStart: boolean;
  layout: 'tab' | 'split';
  maxConcurrent: number | null;
  /** Secret values in `spec.env` read as the marker; these are their names. */
  redactedEnv: string[];
  spec: TemplateSnapshot['spec'];
}

/** The read edge of a template: secret env values never leave as they are (secret-env.ts). */
function withSecretsRedacted(spec: TemplateSnapshot['spec']): Pick<TemplateView, 'redactedEnv' | 'spec'> {
  return { redactedEnv: secretEnvNames(spec.env, spec.secretEnv), spec: redactSecretEnv(spec) };
}

export const rowView = (r: TemplateRow): TemplateView => ({
  id: r.id,
  projectId: r.projectId,
  builtIn: false,
  version: r.version,
  name: r.name,
  kind: r.kind,
  autoStart: r.autoStart,
  layout: r.spec.layout,
  maxConcurrent: r.maxConcurrent,
  ...withSecretsRedacted(r.spec),
});

export function builtinViews(): TemplateView[] {
  return Object.keys(BUILTIN_TEMPLATES).map((id) => {
    const s = builtinSnapshot(id)!;
    return { id, projectId: null, builtIn: true, version: s.version, name: s.spec.name, kind: s.spec.kind, autoStart: s.spec.autoStart, layout: s.spec.layout, maxConcurrent: s.spec.maxConcurrent, ...withSecretsRedacted(s.spec) };
  });
}

/** A template as a session pins it, if `projectId` may use it; null otherwise. */
export async function resolveTemplate(read: ReadSide, templateId: string, projectId: string | null): Promise<TemplateSnapshot | null> {
  const builtin = builtinSnapshot(templateId);
  if (builtin) return builtin;
  const row = await read.db.getRepository(TemplateRowEntity).findOneBy({ id: templateId });
  if (!row || row.removed || (row.projectId !== null && row.projectId !== projectId)) return null;
  return { version: row.version, builtIn: false, spec: row.spec };
}

export function templateQueries(read: ReadSide) {
  const repo = () => read.db.getRepository(TemplateRowEntity);
  return {
    /** Built-ins, then installation-wide templates, then the project's own, by name. */
    list_session_templates: defineQuery(z.object({ projectId: IdSchema.optional() }), async ({ projectId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = await repo().find({ where: [{ projectId: IsNull(), removed: false }, ...(projectId ? [{ projectId, removed: false }] : [])], order: { name: 'ASC', id: 'ASC' } });
      return [...builtinViews(), ...rows.filter((r) => r.projectId === null).map(rowView), ...rows.filter((r) => r.projectId !== null).map(rowView)];
    }),
    /** The snapshot a spawn command carries (`template`), for a project that may use it: with its secret values, never for a client. */
    get_session_template: defineQuery(z.object({ id: IdSchema, projectId: IdSchema.nullable().default(null) }), async ({ id, projectId }, { minSeq }) => {
      await read.waitFor(minSeq);
      const snapshot = await resolveTemplate(read, id, projectId);
      if (!snapshot) throw new DomainError('not_found', `template ${id} does not exist${projectId ? ` for project ${projectId}` : ''}`, { templateId: id });
      return { templateId: id, ...snapshot };
    }),
    /** Per-template caps (shared credentials) for the scheduler. */
    template_caps: defineQuery(z.object({ ids: z.array(IdSchema).max(10_000) }), async ({ ids }, { minSeq }) => {
      await read.waitFor(minSeq);
      const rows = ids.length ? await repo().findBy({ id: In(ids) }) : [];
      const caps: Record<string, number | null> = {};
      for (const id of ids) caps[id] = BUILTIN_TEMPLATES[id]?.maxConcurrent ?? null;
      for (const r of rows) caps[r.id] = r.maxConcurrent;
      return caps;
    }),
  };
}
