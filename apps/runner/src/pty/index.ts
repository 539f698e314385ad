export * from './pty-process';
