import { z } from 'zod';
import { IsNull } from 'typeorm';
import { DomainError, IdSchema } from '@baton/events';
import { defineQuery } from '@baton/event-store';
import type { ReadSide } from '@baton/service-kit';
import { renderPrompt } from '../../prompt-template/render-prompt';
import { TaskRowEntity } from '../tasks/task-row.entity';
import { PromptTemplateRowEntity, PromptVersionRowEntity } from './prompt-template-row.entity';

export function promptTemplateQueries(read: ReadSide) {
  const templates = () => read.db.getRepository(PromptTemplateRowEntity);
  const versions = () => read.db.getRepository(PromptVersionRowEntity);
  const version = async (id: string) => {
    const row = await versions().findOneBy({ id });
    if (!row) throw new DomainError('not_found', `prompt version ${id} does not exist`, { promptVersionId: id });
    return row;
  };
  return {
    get_prompt_template: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const row = await templates().findOneBy({ id });
      if (!row) throw new DomainError('not_found', `prompt template ${id} does not exist`, { templateId: id });
      const { eventCount: _e, lastSeq: _s, ...view } = row;
      const vs = await versions().find({ where: { templateId: id }, order: { number: 'ASC' } });
      return { ...view, versions: vs.map(({ lastSeq: _l, ...v }) => v) };
    }),
    /** A project's templates and the global ones (projectId null); `projectId` absent: global only. */
    list_prompt_templates: defineQuery(
      z.object({ projectId: IdSchema.optional(), includeArchived: z.boolean().default(false) }),
      async ({ projectId, includeArchived }, { minSeq }) => {
        await read.waitFor(minSeq);
        const status = includeArchived ? {} : { status: 'active' as const };
        const where = projectId ? [{ projectId, ...status }, { projectId: IsNull(), ...status }] : [{ projectId: IsNull(), ...status }];
        const rows = await templates().find({ where, order: { name: 'ASC', id: 'ASC' } });
        return rows.map(({ eventCount: _e, lastSeq: _s, ...view }) => view);
      },
    ),
    get_prompt_version: defineQuery(z.object({ id: IdSchema }), async ({ id }, { minSeq }) => {
      await read.waitFor(minSeq);
      const { lastSeq: _l, ...v } = await version(id);
      return v;
    }),
    /** The text a version produces for a task: what the edge puts in `task.add_attempt_message` (kind `prompt`). */
    render_prompt: defineQuery(
      z.object({ promptVersionId: IdSchema, taskId: IdSchema, values: z.record(z.string(), z.string().max(20_000)).default({}) }),
      async ({ promptVersionId, taskId, values }, { minSeq }) => {
        await read.waitFor(minSeq);
        const v = await version(promptVersionId);
        const task = await read.db.getRepository(TaskRowEntity).findOneBy({ id: taskId });
        if (!task) throw new DomainError('not_found', `task ${taskId} does not exist`, { taskId });
        return { promptVersionId, taskId, text: renderPrompt(v, task, values) };
      },
    ),
  };
}
