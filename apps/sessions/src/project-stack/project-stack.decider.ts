import {
  DomainError,
  ProjectCloseStarted,
  ProjectClosed,
  ProjectOpenFailed,
  ProjectOpenStarted,
  ProjectOpened,
  ProjectStepReady,
  ProjectStepSpawned,
  ProjectStepStopRequested,
  ProjectStepStopped,
  projectStackCommands,
  projectStackId,
  type CommandOf,
  type Decider,
  type NewEvent,
  type ProjectStackEvent,
  type SpawnRequest,
} from '@baton/events';

type Commands = typeof projectStackCommands;
export type ProjectStackCommand = { [K in keyof Commands]: CommandOf<Commands[K]> }[number];

export interface StackStep {
  request: SpawnRequest;
  phase: 'waiting' | 'spawned' | 'ready' | 'ended';
}

/**
 * A project's startup and shutdown sequence (subject `session.project-<projectId>`), a
 * process manager as an aggregate: open spawns step 0, and each step's session becoming
 * ready spawns the next (DESIGN §6 / reference 004); close stops the started sessions one
 * at a time — the shutdown sequence first, then the rest in reverse startup order — each
 * waiting for the one before to end. Reactors carry the step events to sessions and back.
 */
export interface ProjectStackState {
  phase: 'closed' | 'opening' | 'open' | 'failed' | 'closing';
  steps: StackStep[];
  /** Session ids still to stop, in order; the head is being stopped. */
  stopping: string[];
}

export const projectStackDecider: Decider<ProjectStackState, ProjectStackCommand, ProjectStackEvent> = {
  aggregate: 'session',
  commands: projectStackCommands,
  aggregateIdOf: (c) => projectStackId(c.data.projectId),
  initialState: () => ({ phase: 'closed', steps: [], stopping: [] }),

  decide(command, state): NewEvent[] {
    const { projectId } = command.data;
    switch (command.type) {
      case 'session.open_project': {
        if (state.phase !== 'closed') {
          throw new DomainError(state.phase === 'failed' ? 'invalid_state' : 'conflict', `project ${projectId} is ${state.phase}${state.phase === 'failed' ? ': close it first' : ''}`, {
            projectId,
            phase: state.phase,
          });
        }
        const ids = command.data.steps.map((s) => s.sessionId);
        if (new Set(ids).size !== ids.length) throw new DomainError('validation', 'each step needs its own session id', { sessionIds: ids });
        const steps = command.data.steps.map((s, step) => ({ ...s, projectId, origin: { kind: 'startup' as const, projectId, step } }));
        return [ProjectOpenStarted({ projectId, steps }), ProjectStepSpawned({ projectId, index: 0, request: steps[0] })];
      }
      case 'session.advance_project': {
        const { sessionId, outcome } = command.data;
        const index = state.steps.findIndex((s) => s.request.sessionId === sessionId);
        if (index < 0) return [];
        const step = state.steps[index];
        if (outcome === 'ready') {
          if (state.phase !== 'opening' || step.phase !== 'spawned') return [];
          const next = state.steps[index + 1];
          return [
            ProjectStepReady({ projectId, index, sessionId }),
            next ? ProjectStepSpawned({ projectId, index: index + 1, request: next.request }) : ProjectOpened({ projectId }),
          ];
        }
        if (step.phase === 'ended') return [];
        const events: NewEvent[] = [];
        if (state.phase === 'opening' && step.phase === 'spawned') {
          events.push(ProjectOpenFailed({ projectId, index, sessionId, reason: `${sessionId} ended (${command.data.status ?? 'unknown'}) before it was ready` }));
        }
        // Recording the end also lets a closing sequence skip or move past it.
        events.push(ProjectStepStopped({ projectId, sessionId }));
        if (state.phase === 'closing' && state.stopping[0] === sessionId) events.push(...nextStop(projectId, state, sessionId));
        return events;
      }
      case 'session.close_project': {
        if (state.phase === 'closed' || state.phase === 'closing') return [];
        const started = state.steps.filter((s) => s.phase === 'spawned' || s.phase === 'ready');
        const first = command.data.order.flatMap((templateId) => started.filter((s) => s.request.templateId === templateId));
        const rest = [...started].reverse().filter((s) => !first.includes(s));
        const order = [...new Set([...first, ...rest].map((s) => s.request.sessionId))];
        return [ProjectCloseStarted({ projectId, order }), order.length ? ProjectStepStopRequested({ projectId, sessionId: order[0] }) : ProjectClosed({ projectId })];
      }
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): ProjectStackState {
    const setStep = (sessionId: string, phase: StackStep['phase']) => state.steps.map((s) => (s.request.sessionId === sessionId ? { ...s, phase } : s));
    switch (event.type) {
      case 'session.project_open_started':
        return { phase: 'opening', steps: event.data.steps.map((request) => ({ request, phase: 'waiting' })), stopping: [] };
      case 'session.project_step_spawned':
        return { ...state, steps: setStep(event.data.request.sessionId, 'spawned') };
      case 'session.project_step_ready':
        return { ...state, steps: setStep(event.data.sessionId, 'ready') };
      case 'session.project_opened':
        return { ...state, phase: 'open' };
      case 'session.project_open_failed':
        return { ...state, phase: 'failed' };
      case 'session.project_close_started':
        return { ...state, phase: 'closing', stopping: event.data.order };
      case 'session.project_step_stop_requested':
        return state;
      case 'session.project_step_stopped':
        return { ...state, steps: setStep(event.data.sessionId, 'ended'), stopping: state.stopping.filter((id) => id !== event.data.sessionId) };
      case 'session.project_closed':
        return { phase: 'closed', steps: [], stopping: [] };
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};

/** After `ended` stopped: the next one still running, or the end of the sequence. */
function nextStop(projectId: string, state: ProjectStackState, ended: string): NewEvent[] {
  const alive = new Set(state.steps.filter((s) => s.phase !== 'ended' && s.request.sessionId !== ended).map((s) => s.request.sessionId));
  const next = state.stopping.find((id) => id !== ended && alive.has(id));
  return [next ? ProjectStepStopRequested({ projectId, sessionId: next }) : ProjectClosed({ projectId })];
}
