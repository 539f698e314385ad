import {
  DomainError,
  RunnerCapacityChanged,
  RunnerDeregistered,
  RunnerDrainChanged,
  RunnerRegistered,
  runnerCommands,
  type CommandOf,
  type Decider,
  type LabelsMap,
  type NewEvent,
  type RunnerEvent,
} from '@baton/events';

type Commands = typeof runnerCommands;
export type RunnerCommand = { [K in keyof Commands]: CommandOf<Commands[K]> }[number];

/** A runner's registration (subject `runner.<id>`); its liveness comes from the KV heartbeat, not from here. */
export interface RunnerState {
  exists: boolean;
  hostname: string;
  capacity: number;
  labels: LabelsMap;
  version: string | null;
  draining: boolean;
  deregistered: boolean;
}

const sameLabels = (a: LabelsMap, b: LabelsMap) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export const runnerDecider: Decider<RunnerState, RunnerCommand, RunnerEvent> = {
  aggregate: 'runner',
  commands: runnerCommands,
  aggregateIdOf: (c) => c.data.runnerId,
  initialState: () => ({ exists: false, hostname: '', capacity: 0, labels: {}, version: null, draining: false, deregistered: false }),

  decide(command, state): NewEvent[] {
    const { runnerId } = command.data;
    if (command.type !== 'runner.register' && !state.exists) throw new DomainError('not_found', `runner ${runnerId} is not registered`, { runnerId });
    switch (command.type) {
      case 'runner.register': {
        const { hostname, capacity, labels, version } = command.data;
        const same = state.exists && !state.deregistered && state.hostname === hostname && state.capacity === capacity && state.version === version && sameLabels(state.labels, labels);
        return same ? [] : [RunnerRegistered({ hostname, capacity, labels, version })];
      }
      case 'runner.set_capacity':
        return state.capacity === command.data.capacity ? [] : [RunnerCapacityChanged({ capacity: command.data.capacity, previous: state.capacity })];
      case 'runner.drain':
        return state.draining === command.data.draining ? [] : [RunnerDrainChanged({ draining: command.data.draining, reason: command.data.reason })];
      case 'runner.deregister':
        return state.deregistered ? [] : [RunnerDeregistered({ reason: command.data.reason })];
      default: {
        const unknown: never = command;
        throw new DomainError('validation', `unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },

  evolve(state, event): RunnerState {
    switch (event.type) {
      case 'runner.registered':
        return { ...state, exists: true, deregistered: false, ...event.data };
      case 'runner.capacity_changed':
        return { ...state, capacity: event.data.capacity };
      case 'runner.drain_changed':
        return { ...state, draining: event.data.draining };
      case 'runner.deregistered':
        return { ...state, deregistered: true };
      default: {
        const unknown: never = event;
        void unknown;
        return state;
      }
    }
  },
};
