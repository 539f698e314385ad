import { PromptTemplateArchived, PromptTemplateCreated, PromptTemplateRenamed, PromptTemplateVersionAdded, type DomainEvent, type NewEvent, type RecordedEvent } from '@baton/events';
import { foldAfter } from '@baton/projections';
import { recorded } from '@baton/testing';
import type { PromptTemplateRow, PromptVersionRow } from './prompt-template-row.entity';
import { promptTemplatesProjection, promptVersionsProjection } from './prompt-templates.projection';

const T = { type: 'prompt_template' as const, id: 'pt1' };
const story = (): RecordedEvent<DomainEvent>[] =>
  (<NewEvent[]>[
    PromptTemplateCreated({ projectId: null, name: 'Implement' }),
    PromptTemplateVersionAdded({ versionId: 'v1', number: 1, parentVersionId: null, body: 'Do {{task.title}}', variables: [], note: '' }),
    PromptTemplateVersionAdded({ versionId: 'v2', number: 2, parentVersionId: 'v1', body: 'Do {{task.title}} well', variables: [], note: 'better' }),
    PromptTemplateRenamed({ name: 'Build', previousName: 'Implement' }),
    PromptTemplateArchived({}),
  ]).map((e, i) => ({ ...recorded(T, e), position: { seq: i + 1 } }) as RecordedEvent<DomainEvent>);

describe('promptTemplatesProjection', () => {
  it('folds a row per template, once even when delivered twice', () => {
    const rows = new Map<string, PromptTemplateRow | null>();
    const first = foldAfter(promptTemplatesProjection, rows, 0, story());
    expect(rows.get('pt1')).toMatchObject({ name: 'Build', status: 'archived', latestVersionId: 'v2', versionCount: 2, projectId: null, eventCount: 5 });
    const once = structuredClone(rows.get('pt1'));
    foldAfter(promptTemplatesProjection, rows, first.checkpoint, story());
    expect(rows.get('pt1')).toEqual(once);
  });
});

describe('promptVersionsProjection', () => {
  it('keeps each version with its parent, once', () => {
    const rows = new Map<string, PromptVersionRow | null>();
    foldAfter(promptVersionsProjection, rows, 0, story());
    foldAfter(promptVersionsProjection, rows, 0, story());
    expect(rows.get('v2')).toMatchObject({ templateId: 'pt1', number: 2, parentVersionId: 'v1', note: 'better' });
    expect(rows.size).toBe(2);
  });
});
