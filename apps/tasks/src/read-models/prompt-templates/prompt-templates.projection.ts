import type { Projection } from '@baton/projections';
import { PromptTemplateRowEntity, PromptVersionRowEntity, type PromptTemplateRow, type PromptVersionRow } from './prompt-template-row.entity';

/** One row per template: name, scope, latest version. */
export const promptTemplatesProjection: Projection<PromptTemplateRow> = {
  name: 'prompt_templates',
  version: 1,
  entity: PromptTemplateRowEntity,
  keysOf: (event) => (event.aggregate.type === 'prompt_template' ? [event.aggregate.id] : []),
  evolve(row, event, id) {
    const touch = (r: PromptTemplateRow): PromptTemplateRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'prompt_template.created':
        return (
          row ?? {
            id,
            projectId: event.data.projectId,
            name: event.data.name,
            status: 'active',
            latestVersionId: null,
            versionCount: 0,
            createdAt: event.occurredAt,
            updatedAt: event.occurredAt,
            eventCount: 1,
            lastSeq: event.position.seq,
          }
        );
      case 'prompt_template.version_added':
        return row && touch({ ...row, latestVersionId: event.data.versionId, versionCount: Math.max(row.versionCount, event.data.number) });
      case 'prompt_template.renamed':
        return row && touch({ ...row, name: event.data.name });
      case 'prompt_template.archived':
        return row && touch({ ...row, status: 'archived' });
      default:
        return row;
    }
  },
};

/** One row per version: immutable once written. */
export const promptVersionsProjection: Projection<PromptVersionRow> = {
  name: 'prompt_template_versions',
  version: 1,
  entity: PromptVersionRowEntity,
  keysOf: (event) => (event.type === 'prompt_template.version_added' ? [event.data.versionId] : []),
  evolve(row, event) {
    if (event.type !== 'prompt_template.version_added') return row;
    const d = event.data;
    return (
      row ?? {
        id: d.versionId,
        templateId: event.aggregate.id,
        number: d.number,
        parentVersionId: d.parentVersionId,
        body: d.body,
        variables: d.variables,
        note: d.note,
        createdAt: event.occurredAt,
        lastSeq: event.position.seq,
      }
    );
  },
};
