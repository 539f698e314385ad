export * from './output-coalescer';
export * from './terminal-publisher';
export * from './terminal-reader';
export * from './terminal-pipeline';
export * from './screen';
export { createScreen, type Screen } from './threaded-screen';
