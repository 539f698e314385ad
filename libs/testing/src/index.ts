export * from './infra';
export * from './namespace';
export * from './processes';
export * from './decider-spec';
export * from './agent-clis';
export * from './fake-model';
export * from './netns';
