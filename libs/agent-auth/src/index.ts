export * from './agent-token';
