export * from './terminal-lines';
export * from './output-patterns';
