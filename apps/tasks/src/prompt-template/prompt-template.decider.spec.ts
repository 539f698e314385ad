import {
  AddPromptTemplateVersion,
  ArchivePromptTemplate,
  CreatePromptTemplate,
  PromptTemplateArchived,
  PromptTemplateCreated,
  PromptTemplateRenamed,
  PromptTemplateVersionAdded,
  RenamePromptTemplate,
  type CommandDefinition,
} from '@baton/events';
import { command, deciderSpec, recorded } from '@baton/testing';
import type { z } from 'zod';
import { promptTemplateDecider, type PromptTemplateCommand } from './prompt-template.decider';

const T = { type: 'prompt_template' as const, id: 'pt1' };
const cmd = <S extends z.ZodType>(def: CommandDefinition<string, S>, data: z.input<S>) => command(def.type, def.schema.parse(data)) as PromptTemplateCommand;
const vars = [{ name: 'style', description: 'coding style', default: null }];
const body = 'Implement {{task.title}} in {{style}} style.';
const created = recorded(T, PromptTemplateCreated({ projectId: 'p1', name: 'Implement' }));
const v1 = recorded(T, PromptTemplateVersionAdded({ versionId: 'v1', number: 1, parentVersionId: null, body, variables: vars, note: '' }));
const v2 = recorded(T, PromptTemplateVersionAdded({ versionId: 'v2', number: 2, parentVersionId: 'v1', body: `${body} Be brief.`, variables: vars, note: 'shorter' }));
const addVersion = (versionId: string, parentVersionId?: string, b = body) =>
  cmd(AddPromptTemplateVersion, { templateId: 'pt1', versionId, ...(parentVersionId ? { parentVersionId } : {}), body: b, variables: vars });

describe('promptTemplateDecider', () => {
  const sut = deciderSpec(promptTemplateDecider);

  it('creates a template with its first version', () => {
    sut
      .given([])
      .when(cmd(CreatePromptTemplate, { templateId: 'pt1', projectId: 'p1', name: 'Implement', versionId: 'v1', body, variables: vars }))
      .then([PromptTemplateCreated({ projectId: 'p1', name: 'Implement' }), PromptTemplateVersionAdded({ versionId: 'v1', number: 1, parentVersionId: null, body, variables: vars, note: '' })]);
    sut.given([created, v1]).when(cmd(CreatePromptTemplate, { templateId: 'pt1', name: 'X', versionId: 'v9', body })).thenThrows('conflict');
  });

  it('adds versions from the latest by default, or from a named parent (variants form a tree)', () => {
    expect(sut.given([created, v1, v2]).when(addVersion('v3')).thenEvents()[0].data).toMatchObject({ number: 3, parentVersionId: 'v2' });
    expect(sut.given([created, v1, v2]).when(addVersion('v3', 'v1')).thenEvents()[0].data).toMatchObject({ number: 3, parentVersionId: 'v1' });
    sut.given([created, v1]).when(addVersion('v3', 'elsewhere')).thenThrows('not_found', /elsewhere/);
    sut.given([created, v1]).when(addVersion('v1')).thenThrows('conflict');
    sut.given([]).when(addVersion('v1')).thenThrows('not_found');
  });

  it('refuses a body that uses an undeclared variable, naming it', () => {
    sut.given([created, v1]).when(addVersion('v3', undefined, 'Use {{tone}} and {{task.title}}')).thenThrows('validation', /"tone"/);
    expect(() => CreatePromptTemplate.schema.parse({ templateId: 'pt1', name: 'X', versionId: 'v', body: 'b', variables: [...vars, ...vars] })).toThrow(/unique/);
  });

  it('renames and archives; an archived template takes no new versions', () => {
    sut.given([created, v1]).when(cmd(RenamePromptTemplate, { templateId: 'pt1', name: 'Build' })).then([PromptTemplateRenamed({ name: 'Build', previousName: 'Implement' })]);
    sut.given([created, v1]).when(cmd(ArchivePromptTemplate, { templateId: 'pt1' })).then([PromptTemplateArchived({})]);
    sut.given([created, v1, recorded(T, PromptTemplateArchived({}))]).when(addVersion('v3')).thenThrows('invalid_state', /archived/);
  });
});
