import {
  DomainError,
  keepSecretEnv,
  SessionTemplateDefined,
  SessionTemplateRemoved,
  sessionTemplateCommands,
  type CommandOf,
  type Decider,
  type NewEvent,
  type SessionTemplateEvent,
  type SessionTemplateSpec,
} from '@baton/events';
import { BUILTIN_TEMPLATE_IDS } from './builtin-templates';

type Commands = typeof sessionTemplateCommands;
export type SessionTemplateCommand = { [K in keyof Commands]: CommandOf<Commands[K]> }[number];

/** A project's (or the installation's) session template; every change is a new immutable version. */
export interface SessionTemplateState {
  exists: boolean;
  removed: boolean;
  projectId: string | null;
  version: number;
  spec: SessionTemplateSpec | null;
}

/** Key order does not make two specs different. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The spec a define means: secret values sent back as the marker (or omitted) are the previous version's. */
function withSecretsKept(templateId: string, spec: SessionTemplateSpec, previous: SessionTemplateSpec | null): SessionTemplateSpec {
  const kept = keepSecretEnv(spec, previous);
  if (!kept.ok) {
    throw new DomainError('validation', kept.problems.map((p) => `env.${p.name}: ${p.message}`).join('; '), { templateId, names: kept.problems.map((p) => p.name) });
  }
  const { secretEnv: _marked, ...rest } = spec;
  return { ...rest, env: kept.env, ...(kept.secretEnv ? { secretEnv: kept.secretEnv } : {}) };
}

export const sessionTemplateDecider: Decider<SessionTemplateState, SessionTemplateCommand, SessionTemplateEvent> = {
  aggregate: 'session_template',
  commands: sessionTemplateCommands,
  aggregateIdOf: (c) => c.data.templateId,
  initialState: () => ({ exists: false, removed: false, projectId: null, version: 0, spec: null }),

  decide(command, state): NewEvent[] {
    const { templateId } = command.data;
    switch (command.type) {
      case 'session_template.define': {
        const { projectId } = command.data;
        if (BUILTIN_TEMPLATE_IDS.has(templateId)) throw new DomainError('conflict', `"${templateId}" is a built-in template; choose another id`, { templateId });
        if (state.exists && state.projectId !== projectId) {
          throw new DomainError('conflict', `template ${templateId} belongs to ${state.projectId ? `project ${state.projectId}` : 'every project'}`, {
            templateId,
            projectId: state.projectId,
          });
        }
        const spec = withSecretsKept(templateId, command.data.spec, state.spec);
        if (state.exists && !state.removed && canonical(state.spec) === canonical(spec)) return [];
        return [SessionTemplateDefined({ projectId, version: state.version + 1, spec })];
      }
      case 'session_template.remove':
        if (!state.exists || state.removed) throw new DomainError('not_found', `template ${templateId} does not exist`, { templateId });
        return [SessionTemplateRemoved({})];
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): SessionTemplateState {
    switch (event.type) {
      case 'session_template.defined':
        return { exists: true, removed: false, projectId: event.data.projectId, version: event.data.version, spec: event.data.spec };
      case 'session_template.removed':
        return { ...state, removed: true };
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};
