export * from './broker';
export * from './errors';
export * from './event-store';
export * from './command-bus';
export * from './command-processor';
export * from './query-bus';
export * from './reactor-runner';
export * from './logger';
