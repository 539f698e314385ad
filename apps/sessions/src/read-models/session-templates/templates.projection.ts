import type { Projection } from '@baton/projections';
import { TemplateRowEntity, type TemplateRow } from './template-row.entity';

export const sessionTemplatesProjection: Projection<TemplateRow> = {
  name: 'session_templates',
  version: 1,
  entity: TemplateRowEntity,
  keysOf: (event) => (event.aggregate.type === 'session_template' ? [event.aggregate.id] : []),
  evolve(row, event, id) {
    const touch = (r: TemplateRow): TemplateRow => ({ ...r, updatedAt: event.occurredAt, eventCount: r.eventCount + 1, lastSeq: event.position.seq });
    switch (event.type) {
      case 'session_template.defined': {
        const { projectId, version, spec } = event.data;
        const base = row ?? { id, createdAt: event.occurredAt, eventCount: 0 };
        return touch({
          ...base,
          projectId,
          name: spec.name,
          kind: spec.kind,
          version,
          spec,
          autoStart: spec.autoStart,
          maxConcurrent: spec.maxConcurrent,
          removed: false,
          updatedAt: event.occurredAt,
          lastSeq: event.position.seq,
        } as TemplateRow);
      }
      case 'session_template.removed':
        return row && touch({ ...row, removed: true });
      default:
        return row;
    }
  },
};
