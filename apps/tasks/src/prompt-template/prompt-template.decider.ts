import {
  AddPromptTemplateVersion,
  ArchivePromptTemplate,
  CreatePromptTemplate,
  DomainError,
  PromptTemplateArchived,
  PromptTemplateCreated,
  PromptTemplateRenamed,
  PromptTemplateVersionAdded,
  RenamePromptTemplate,
  type CommandOf,
  type Decider,
  type NewEvent,
  type PromptTemplateEvent,
} from '@baton/events';
import { checkPlaceholders } from './render-prompt';

export type PromptTemplateState =
  | { status: 'absent' }
  | { status: 'active' | 'archived'; projectId: string | null; name: string; versions: string[] };

export type PromptTemplateCommand =
  | CommandOf<typeof CreatePromptTemplate>
  | CommandOf<typeof AddPromptTemplateVersion>
  | CommandOf<typeof RenamePromptTemplate>
  | CommandOf<typeof ArchivePromptTemplate>;

function existing(state: PromptTemplateState, id: string): Exclude<PromptTemplateState, { status: 'absent' }> {
  if (state.status === 'absent') throw new DomainError('not_found', `prompt template ${id} does not exist`, { templateId: id });
  return state;
}

/** Versioned prompts: a version never changes; a new one names its parent, so variants form a tree. */
export const promptTemplateDecider: Decider<PromptTemplateState, PromptTemplateCommand, PromptTemplateEvent> = {
  aggregate: 'prompt_template',
  commands: [CreatePromptTemplate, AddPromptTemplateVersion, RenamePromptTemplate, ArchivePromptTemplate],
  aggregateIdOf: (c) => c.data.templateId,
  initialState: () => ({ status: 'absent' }),

  decide(command, state): NewEvent[] {
    switch (command.type) {
      case 'prompt_template.create': {
        const { templateId, projectId, name, versionId, body, variables, note } = command.data;
        if (state.status !== 'absent') throw new DomainError('conflict', `prompt template ${templateId} already exists`, { templateId });
        checkPlaceholders(body, variables);
        return [
          PromptTemplateCreated({ projectId, name }),
          PromptTemplateVersionAdded({ versionId, number: 1, parentVersionId: null, body, variables, note }),
        ];
      }
      case 'prompt_template.add_version': {
        const { templateId, versionId, parentVersionId, body, variables, note } = command.data;
        const t = existing(state, templateId);
        if (t.status === 'archived') throw new DomainError('invalid_state', `prompt template ${templateId} is archived`, { templateId });
        if (t.versions.includes(versionId)) throw new DomainError('conflict', `version ${versionId} already exists`, { versionId });
        const parent = parentVersionId ?? t.versions[t.versions.length - 1];
        if (!t.versions.includes(parent)) {
          throw new DomainError('not_found', `version ${parent} is not a version of prompt template ${templateId}`, { parentVersionId: parent });
        }
        checkPlaceholders(body, variables);
        return [PromptTemplateVersionAdded({ versionId, number: t.versions.length + 1, parentVersionId: parent, body, variables, note })];
      }
      case 'prompt_template.rename': {
        const t = existing(state, command.data.templateId);
        return t.name === command.data.name ? [] : [PromptTemplateRenamed({ name: command.data.name, previousName: t.name })];
      }
      case 'prompt_template.archive': {
        const t = existing(state, command.data.templateId);
        return t.status === 'archived' ? [] : [PromptTemplateArchived({})];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): PromptTemplateState {
    switch (event.type) {
      case 'prompt_template.created':
        return { status: 'active', projectId: event.data.projectId, name: event.data.name, versions: [] };
      case 'prompt_template.version_added':
        return state.status === 'absent' ? state : { ...state, versions: [...state.versions, event.data.versionId] };
      case 'prompt_template.renamed':
        return state.status === 'absent' ? state : { ...state, name: event.data.name };
      case 'prompt_template.archived':
        return state.status === 'absent' ? state : { ...state, status: 'archived' };
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};
