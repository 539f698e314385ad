export * from './pty-process';
export * from './keeper-client';
export type { KeptSessionInfo, KeeperMark } from './keeper-protocol';
