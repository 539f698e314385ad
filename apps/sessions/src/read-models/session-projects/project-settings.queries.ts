import { z } from 'zod';
import { IsNull } from 'typeorm';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { planStartup } from '../../project-stack/startup-plan';
import { builtinSnapshot, BUILTIN_TEMPLATES } from '../../session-template/builtin-templates';
import { TemplateRowEntity } from '../session-templates/template-row.entity';
import { ProjectSettingsRowEntity } from './project-settings-row.entity';

export function projectSettingsQueries(read: ReadSide) {
  return {
    /**
     * What `session.open_project` carries: the startup steps (startupSequence, then autoStart
     * templates) with session ids `<idBase>-<step>`, and the order `session.close_project` uses.
     */
    project_startup_plan: defineQuery(z.object({ projectId: IdSchema, idBase: IdSchema.max(60) }), async ({ projectId, idBase }, { minSeq }) => {
      await read.waitFor(minSeq);
      const project = await read.db.getRepository(ProjectSettingsRowEntity).findOneBy({ id: projectId });
      if (!project) throw new DomainError('not_found', `project ${projectId} does not exist`, { projectId });
      const rows = await read.db.getRepository(TemplateRowEntity).find({ where: [{ projectId, removed: false }, { projectId: IsNull(), removed: false }] });
      const templates = [
        ...Object.keys(BUILTIN_TEMPLATES).map((templateId) => ({ templateId, snapshot: builtinSnapshot(templateId)! })),
        ...rows.map((r) => ({ templateId: r.id, snapshot: { version: r.version, builtIn: false, spec: r.spec } })),
      ];
      try {
        const steps = planStartup(projectId, project.startupSequence, templates, (_templateId, step) => `${idBase}-${step}`);
        return { projectId, steps, shutdownOrder: project.shutdownSequence };
      } catch (e) {
        throw new DomainError('validation', e instanceof Error ? e.message : String(e), { projectId });
      }
    }),
  };
}
